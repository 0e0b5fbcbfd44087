using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Modelhost.Onnx.Protos;

namespace Modelhost.Onnx;

/// <summary>Builds <see cref="TensorProto"/> messages: numeric data as little-endian raw_data, strings as string_data.</summary>
internal static class TensorEncoding
{
    public static TensorProto Float(string name, ReadOnlySpan<float> values, ReadOnlySpan<long> dims) =>
        Raw(name, OnnxDataType.Float, values, dims);

    public static TensorProto Double(string name, ReadOnlySpan<double> values, ReadOnlySpan<long> dims) =>
        Raw(name, OnnxDataType.Double, values, dims);

    public static TensorProto Half(string name, ReadOnlySpan<Half> values, ReadOnlySpan<long> dims) =>
        Raw(name, OnnxDataType.Float16, values, dims);

    public static TensorProto Int64(string name, ReadOnlySpan<long> values, ReadOnlySpan<long> dims) =>
        Raw(name, OnnxDataType.Int64, values, dims);

    public static TensorProto Int32(string name, ReadOnlySpan<int> values, ReadOnlySpan<long> dims) =>
        Raw(name, OnnxDataType.Int32, values, dims);

    public static TensorProto UInt8(string name, ReadOnlySpan<byte> values, ReadOnlySpan<long> dims) =>
        Raw(name, OnnxDataType.UInt8, values, dims);

    public static TensorProto Bool(string name, ReadOnlySpan<bool> values, ReadOnlySpan<long> dims)
    {
        CheckShape(name, values.Length, dims);
        var raw = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            raw[i] = values[i] ? (byte)1 : (byte)0;
        }

        return Create(name, OnnxDataType.Bool, dims, raw);
    }

    public static TensorProto String(string name, ReadOnlySpan<string> values, ReadOnlySpan<long> dims)
    {
        CheckShape(name, values.Length, dims);
        var tensor = Create(name, OnnxDataType.String, dims, raw: null);
        foreach (var value in values)
        {
            if (value is null)
            {
                throw new ArgumentException($"Tensor '{name}': string values must not be null.", nameof(values));
            }

            tensor.StringData.Add(ByteString.CopyFrom(Encoding.UTF8.GetBytes(value)));
        }

        return tensor;
    }

    /// <summary>Checks that <paramref name="dims"/> are non-negative and hold exactly <paramref name="count"/> elements.</summary>
    public static void CheckShape(string name, int count, ReadOnlySpan<long> dims)
    {
        long product = 1;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                throw new ArgumentException(
                    $"Tensor '{name}': dimension {dim} in dims [{Join(dims)}] is negative.", nameof(dims));
            }

            product = product > 0 && dim > long.MaxValue / product ? long.MaxValue : product * dim;
        }

        if (product != count)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has {count} value(s) but dims [{Join(dims)}] hold {product}. " +
                "Give the tensor's dims (none for a scalar, e.g. a single count for a vector).",
                nameof(dims));
        }
    }

    private static TensorProto Raw<T>(string name, OnnxDataType type, ReadOnlySpan<T> values, ReadOnlySpan<long> dims)
        where T : unmanaged
    {
        CheckShape(name, values.Length, dims);
        var raw = MemoryMarshal.AsBytes(values).ToArray();
        var size = Unsafe.SizeOf<T>();
        if (!BitConverter.IsLittleEndian && size > 1)
        {
            for (var offset = 0; offset < raw.Length; offset += size)
            {
                raw.AsSpan(offset, size).Reverse();
            }
        }

        return Create(name, type, dims, raw);
    }

    private static TensorProto Create(string name, OnnxDataType type, ReadOnlySpan<long> dims, byte[]? raw)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        foreach (var dim in dims)
        {
            tensor.Dims.Add(dim);
        }

        if (raw is not null)
        {
            tensor.RawData = UnsafeByteOperations.UnsafeWrap(raw);
        }

        return tensor;
    }

    private static string Join(ReadOnlySpan<long> dims)
    {
        var text = new StringBuilder();
        foreach (var dim in dims)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(dim.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Reads little-endian raw_data back as floats (used by tests and readers).</summary>
    public static float[] ReadFloats(ByteString raw)
    {
        var bytes = raw.Span;
        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }
}
