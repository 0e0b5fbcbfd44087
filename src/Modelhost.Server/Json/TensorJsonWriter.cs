using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Modelhost.Core.Tensors;
using Modelhost.OnnxRuntime;

namespace Modelhost.Server.Json;

/// <summary>Writes output tensor data as JSON numbers, booleans or strings, straight from the native buffer.</summary>
internal static class TensorJsonWriter
{
    /// <summary>Writes a named shape array, e.g. <c>"shape":[2,4]</c>.</summary>
    public static void WriteShape(Utf8JsonWriter writer, ReadOnlySpan<long> shape)
    {
        writer.WriteStartArray("shape"u8);
        foreach (var d in shape)
        {
            writer.WriteNumberValue(d);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes the elements as one flat array.</summary>
    public static void WriteFlat(Utf8JsonWriter writer, OutputTensor tensor)
    {
        writer.WriteStartArray();
        WriteRange(writer, tensor, 0, tensor.ElementCount);
        writer.WriteEndArray();
    }

    /// <summary>Writes the elements of rows [row, row + 1) without the row dimension, nested as the shape says.</summary>
    public static void WriteRow(Utf8JsonWriter writer, OutputTensor tensor, long row)
    {
        var shape = tensor.Shape;
        var rowElements = shape[0] == 0 ? 0 : tensor.ElementCount / shape[0];
        WriteNested(writer, tensor, shape.AsSpan(1), row * rowElements);
    }

    /// <summary>Writes the whole tensor nested as its shape says (a scalar for rank 0).</summary>
    public static void WriteNested(Utf8JsonWriter writer, OutputTensor tensor) => WriteNested(writer, tensor, tensor.Shape, 0);

    private static long WriteNested(Utf8JsonWriter writer, OutputTensor tensor, ReadOnlySpan<long> shape, long offset)
    {
        if (shape.Length == 0)
        {
            WriteRange(writer, tensor, offset, 1);
            return offset + 1;
        }

        writer.WriteStartArray();
        if (shape.Length == 1)
        {
            WriteRange(writer, tensor, offset, shape[0]);
            offset += shape[0];
        }
        else
        {
            for (long i = 0; i < shape[0]; i++)
            {
                offset = WriteNested(writer, tensor, shape[1..], offset);
            }
        }

        writer.WriteEndArray();
        return offset;
    }

    private static void WriteRange(Utf8JsonWriter writer, OutputTensor tensor, long start, long count)
    {
        if (tensor.ElementType == TensorElementType.String)
        {
            var strings = tensor.GetStrings();
            for (var i = start; i < start + count; i++)
            {
                WriteUtf8String(writer, strings[i]);
            }

            return;
        }

        var bytes = tensor.Bytes;
        var size = TensorDataTypes.ElementSize(tensor.ElementType);
        for (var i = start; i < start + count; i++)
        {
            var e = bytes.Slice((int)(i * size), size);
            switch (tensor.ElementType)
            {
                case TensorElementType.Float:
                    WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(e));
                    break;
                case TensorElementType.Double:
                    var d = BinaryPrimitives.ReadDoubleLittleEndian(e);
                    if (double.IsFinite(d))
                    {
                        writer.WriteNumberValue(d);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }

                    break;
                case TensorElementType.Float16:
                    WriteFloat(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(e));
                    break;
                case TensorElementType.BFloat16:
                    WriteFloat(writer, BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(e) << 16));
                    break;
                case TensorElementType.Bool:
                    writer.WriteBooleanValue(e[0] != 0);
                    break;
                case TensorElementType.Int8:
                    writer.WriteNumberValue((sbyte)e[0]);
                    break;
                case TensorElementType.UInt8:
                    writer.WriteNumberValue(e[0]);
                    break;
                case TensorElementType.Int16:
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(e));
                    break;
                case TensorElementType.UInt16:
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(e));
                    break;
                case TensorElementType.Int32:
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(e));
                    break;
                case TensorElementType.UInt32:
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(e));
                    break;
                case TensorElementType.Int64:
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(e));
                    break;
                case TensorElementType.UInt64:
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(e));
                    break;
                default:
                    writer.WriteNullValue();
                    break;
            }
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        // JSON has no NaN or infinity; null is what TF Serving and Triton clients cope with.
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void WriteUtf8String(Utf8JsonWriter writer, byte[] utf8)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            writer.WriteStringValue(utf8);
        }
        else
        {
            writer.WriteStringValue(Encoding.UTF8.GetString(utf8));
        }
    }
}
