using System.Runtime.InteropServices;
using Google.Protobuf.Collections;
using Modelhost.Core;
using Modelhost.Core.Tensors;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Reads an input's typed <c>contents</c> (one repeated field per family of datatypes) into a pooled input tensor,
/// checking the element count against the shape and each value against its datatype's range.
/// </summary>
internal static class GrpcTensorContents
{
    public static InputTensor Read(InferTensorContents contents, string name, TensorElementType type, long[] shape, long count)
    {
        switch (type)
        {
            case TensorElementType.String:
                return ReadStrings(contents.BytesContents, name, shape, count);
            case TensorElementType.Float16:
            case TensorElementType.BFloat16:
                throw Invalid($"input '{name}': {TensorDataTypes.Name(type)} has no typed contents field; send it in raw_input_contents");
        }

        var tensor = InputTensor.Allocate(name, type, shape);
        try
        {
            var data = tensor.Data.Span;
            switch (type)
            {
                case TensorElementType.Float:
                    Copy(contents.Fp32Contents, MemoryMarshal.Cast<byte, float>(data), name, "fp32_contents", count);
                    break;
                case TensorElementType.Double:
                    Copy(contents.Fp64Contents, MemoryMarshal.Cast<byte, double>(data), name, "fp64_contents", count);
                    break;
                case TensorElementType.Int64:
                    Copy(contents.Int64Contents, MemoryMarshal.Cast<byte, long>(data), name, "int64_contents", count);
                    break;
                case TensorElementType.UInt64:
                    Copy(contents.Uint64Contents, MemoryMarshal.Cast<byte, ulong>(data), name, "uint64_contents", count);
                    break;
                case TensorElementType.Int32:
                    Copy(contents.IntContents, MemoryMarshal.Cast<byte, int>(data), name, "int_contents", count);
                    break;
                case TensorElementType.UInt32:
                    Copy(contents.UintContents, MemoryMarshal.Cast<byte, uint>(data), name, "uint_contents", count);
                    break;
                case TensorElementType.Int16:
                    Narrow(contents.IntContents, MemoryMarshal.Cast<byte, short>(data), name, "int_contents", count, type, short.MinValue, short.MaxValue);
                    break;
                case TensorElementType.Int8:
                    Narrow(contents.IntContents, MemoryMarshal.Cast<byte, sbyte>(data), name, "int_contents", count, type, sbyte.MinValue, sbyte.MaxValue);
                    break;
                case TensorElementType.UInt16:
                    NarrowUnsigned(contents.UintContents, MemoryMarshal.Cast<byte, ushort>(data), name, count, type, ushort.MaxValue);
                    break;
                case TensorElementType.UInt8:
                    NarrowUnsigned(contents.UintContents, data, name, count, type, byte.MaxValue);
                    break;
                case TensorElementType.Bool:
                    CheckCount(contents.BoolContents.Count, name, "bool_contents", count);
                    for (var i = 0; i < data.Length; i++)
                    {
                        data[i] = contents.BoolContents[i] ? (byte)1 : (byte)0;
                    }

                    break;
                default:
                    throw Invalid($"input '{name}' has unsupported datatype {TensorDataTypes.Name(type)}");
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static void Copy<T>(RepeatedField<T> values, Span<T> target, string name, string field, long count)
    {
        CheckCount(values.Count, name, field, count);
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = values[i];
        }
    }

    private static void Narrow<T>(RepeatedField<int> values, Span<T> target, string name, string field, long count, TensorElementType type, int min, int max)
        where T : struct, System.Numerics.INumberBase<T>
    {
        CheckCount(values.Count, name, field, count);
        for (var i = 0; i < target.Length; i++)
        {
            var value = values[i];
            if (value < min || value > max)
            {
                throw Invalid($"input '{name}': element {i} ({value}) is out of range for {TensorDataTypes.Name(type)}");
            }

            target[i] = T.CreateTruncating(value);
        }
    }

    private static void NarrowUnsigned<T>(RepeatedField<uint> values, Span<T> target, string name, long count, TensorElementType type, uint max)
        where T : struct, System.Numerics.INumberBase<T>
    {
        CheckCount(values.Count, name, "uint_contents", count);
        for (var i = 0; i < target.Length; i++)
        {
            var value = values[i];
            if (value > max)
            {
                throw Invalid($"input '{name}': element {i} ({value}) is out of range for {TensorDataTypes.Name(type)}");
            }

            target[i] = T.CreateTruncating(value);
        }
    }

    private static InputTensor ReadStrings(RepeatedField<Google.Protobuf.ByteString> values, string name, long[] shape, long count)
    {
        CheckCount(values.Count, name, "bytes_contents", count);
        var strings = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < strings.Length; i++)
        {
            // The message stays alive no longer than the call, which outlives the request: no copy needed.
            strings[i] = values[i].Memory;
        }

        return InputTensor.FromStrings(name, shape, strings);
    }

    private static void CheckCount(int actual, string name, string field, long count)
    {
        if (actual != count)
        {
            throw Invalid($"input '{name}': its shape holds {count} elements, but contents.{field} has {actual}");
        }
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
