using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Modelhost.Core.Tensors;

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

    // Floats formatted per chunk into a stack buffer, then handed to the writer in one piece.
    private const int FloatsPerChunk = 256;

    /// <summary>Writes the elements as one flat array.</summary>
    public static void WriteFlat(Utf8JsonWriter writer, OutputTensor tensor) => WriteArray(writer, tensor, 0, tensor.ElementCount);

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

        if (shape.Length == 1)
        {
            WriteArray(writer, tensor, offset, shape[0]);
            return offset + shape[0];
        }

        writer.WriteStartArray();
        for (long i = 0; i < shape[0]; i++)
        {
            offset = WriteNested(writer, tensor, shape[1..], offset);
        }

        writer.WriteEndArray();
        return offset;
    }

    /// <summary>Writes elements [start, start + count) as one array.</summary>
    private static void WriteArray(Utf8JsonWriter writer, OutputTensor tensor, long start, long count)
    {
        writer.WriteStartArray();
        if (tensor.ElementType == TensorElementType.Float)
        {
            WriteFloats(writer, tensor.Bytes, start, count);
        }
        else
        {
            WriteRange(writer, tensor, start, count);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Writes FP32 elements as the writer would one by one (shortest round-trip text, null for NaN and infinities),
    /// but formatted by <see cref="Utf8Float"/> in chunks that go to the writer as raw values: the writer puts the
    /// comma between two chunks itself.
    /// </summary>
    private static void WriteFloats(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes, long start, long count)
    {
        Span<byte> chunk = stackalloc byte[FloatsPerChunk * (Utf8Float.MaxLength + 1)];
        var end = start + count;
        for (var i = start; i < end;)
        {
            var chunkEnd = Math.Min(end, i + FloatsPerChunk);
            var pos = 0;
            for (; i < chunkEnd; i++)
            {
                if (pos > 0)
                {
                    chunk[pos++] = (byte)',';
                }

                var value = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice((int)(i * sizeof(float)), sizeof(float)));
                if (float.IsFinite(value))
                {
                    pos += Utf8Float.Format(value, chunk[pos..]);
                }
                else
                {
                    "null"u8.CopyTo(chunk[pos..]);
                    pos += 4;
                }
            }

            writer.WriteRawValue(chunk[..pos], skipInputValidation: true);
        }
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
