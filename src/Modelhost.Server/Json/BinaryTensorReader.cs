using System.Buffers.Binary;
using Modelhost.Core;
using Modelhost.Core.Tensors;

namespace Modelhost.Server.Json;

/// <summary>
/// Reads a tensor sent as raw bytes (the V2 binary tensor extension): little-endian elements in row-major
/// order, or for BYTES a 4-byte little-endian length before each element.
/// </summary>
internal static class BinaryTensorReader
{
    public static InputTensor Read(ReadOnlySpan<byte> bytes, string name, TensorElementType type, long[] shape)
    {
        var count = TensorShape.ElementCount(shape);
        if (count < 0)
        {
            throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} is too large or has a negative dimension");
        }

        if (type == TensorElementType.String)
        {
            return ReadStrings(bytes, name, shape, count);
        }

        var size = TensorDataTypes.ElementSize(type);
        if (bytes.Length != count * size)
        {
            throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} of {TensorDataTypes.Name(type)} needs {count * size} bytes, but binary_data_size is {bytes.Length}");
        }

        // Copied into a pooled buffer of our own: the body buffer goes back to the pool first, and ONNX
        // Runtime gets memory that lives exactly as long as the tensor.
        var buffer = TensorBuffers.Rent(bytes.Length);
        bytes.CopyTo(buffer);
        return InputTensor.FromPooled(name, type, shape, buffer, bytes.Length);
    }

    private static InputTensor ReadStrings(ReadOnlySpan<byte> bytes, string name, long[] shape, long count)
    {
        var strings = new ReadOnlyMemory<byte>[count];
        var offset = 0;
        for (long i = 0; i < count; i++)
        {
            if (bytes.Length - offset < 4)
            {
                throw Invalid($"input '{name}': binary BYTES data ends before element {i}'s length");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);
            offset += 4;
            if (length > (uint)(bytes.Length - offset))
            {
                throw Invalid($"input '{name}': binary BYTES element {i} claims {length} bytes, but only {bytes.Length - offset} are left");
            }

            strings[i] = bytes.Slice(offset, (int)length).ToArray();
            offset += (int)length;
        }

        if (offset != bytes.Length)
        {
            throw Invalid($"input '{name}': binary BYTES data has {bytes.Length - offset} bytes after its {count} elements");
        }

        return InputTensor.FromStrings(name, shape, strings);
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
