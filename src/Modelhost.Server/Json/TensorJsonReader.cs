using System.Buffers.Binary;
using System.Text.Json;
using Modelhost.Core;
using Modelhost.Core.Tensors;
using Modelhost.OnnxRuntime;

namespace Modelhost.Server.Json;

/// <summary>
/// Reads JSON tensor data (flat or nested arrays of scalars) straight into a pooled tensor buffer, with no
/// intermediate objects per element. The caller passes the bytes of the data value alone.
/// </summary>
internal static class TensorJsonReader
{
    private const int MaxRank = 16;

    /// <summary>Reads data whose shape the request states (KServe V2): nesting is free, the count must match.</summary>
    public static InputTensor ReadWithShape(ReadOnlySpan<byte> data, string name, TensorElementType type, long[] shape)
    {
        var count = TensorShape.ElementCount(shape);
        if (count < 0)
        {
            throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} is too large or has a negative dimension");
        }

        return Fill(data, name, type, shape, count);
    }

    /// <summary>Reads nested arrays and infers their shape (TF Serving); ragged arrays are rejected.</summary>
    public static InputTensor ReadNested(ReadOnlySpan<byte> data, string name, TensorElementType type)
    {
        var shape = InferShape(data, name);
        var count = TensorShape.ElementCount(shape);
        if (count < 0)
        {
            throw Invalid($"input '{name}' is too large");
        }

        return Fill(data, name, type, shape, count);
    }

    /// <summary>Infers the shape of nested arrays, checking that every array at one depth has the same length.</summary>
    public static long[] InferShape(ReadOnlySpan<byte> data, string name)
    {
        Span<long> dims = stackalloc long[MaxRank];
        Span<long> counters = stackalloc long[MaxRank];
        dims.Fill(-1);
        var depth = 0;
        var leafDepth = -1;
        var maxDepth = 0;
        var reader = new Utf8JsonReader(data);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    if (depth > 0)
                    {
                        counters[depth - 1]++;
                    }

                    if (depth == MaxRank)
                    {
                        throw Invalid($"input '{name}' is nested deeper than {MaxRank} levels");
                    }

                    counters[depth++] = 0;
                    maxDepth = Math.Max(maxDepth, depth);
                    break;
                case JsonTokenType.EndArray:
                    depth--;
                    if (dims[depth] < 0)
                    {
                        dims[depth] = counters[depth];
                    }
                    else if (dims[depth] != counters[depth])
                    {
                        throw Invalid($"input '{name}' is ragged: arrays at depth {depth + 1} have lengths {dims[depth]} and {counters[depth]}");
                    }

                    break;
                case JsonTokenType.StartObject:
                    throw Invalid($"input '{name}' holds a JSON object where a number, string or boolean was expected");
                default:
                    if (depth > 0)
                    {
                        counters[depth - 1]++;
                    }

                    if (leafDepth < 0)
                    {
                        leafDepth = depth;
                    }
                    else if (leafDepth != depth)
                    {
                        throw Invalid($"input '{name}' is ragged: it mixes values and arrays at depth {depth}");
                    }

                    break;
            }
        }

        var rank = leafDepth >= 0 ? leafDepth : maxDepth;
        var shape = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            shape[i] = dims[i] < 0 ? 0 : dims[i];
        }

        return shape;
    }

    private static InputTensor Fill(ReadOnlySpan<byte> data, string name, TensorElementType type, long[] shape, long count)
    {
        if (type == TensorElementType.String)
        {
            return FillStrings(data, name, shape, count);
        }

        var tensor = InputTensor.Allocate(name, type, shape);
        var dest = tensor.Data.Span;
        var size = TensorDataTypes.ElementSize(type);
        long index = 0;
        var reader = new Utf8JsonReader(data);
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token is JsonTokenType.StartArray or JsonTokenType.EndArray)
                {
                    continue;
                }

                if (index >= count)
                {
                    throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} needs {count} elements, but data holds more");
                }

                WriteElement(ref reader, type, dest.Slice((int)(index * size), size), name, index);
                index++;
            }

            if (index != count)
            {
                throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} needs {count} elements, but data holds {index}");
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static InputTensor FillStrings(ReadOnlySpan<byte> data, string name, long[] shape, long count)
    {
        var strings = new ReadOnlyMemory<byte>[count];
        long index = 0;
        var reader = new Utf8JsonReader(data);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray or JsonTokenType.EndArray:
                    continue;
                case JsonTokenType.String:
                    if (index >= count)
                    {
                        throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} needs {count} elements, but data holds more");
                    }

                    var bytes = new byte[reader.ValueSpan.Length];
                    var written = reader.CopyString(bytes);
                    strings[index++] = bytes.AsMemory(0, written);
                    break;
                default:
                    throw Invalid($"input '{name}': element {index} is {Describe(reader.TokenType)}, but BYTES data must be strings");
            }
        }

        if (index != count)
        {
            throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} needs {count} elements, but data holds {index}");
        }

        return InputTensor.FromStrings(name, shape, strings);
    }

    private static void WriteElement(ref Utf8JsonReader reader, TensorElementType type, Span<byte> dest, string name, long index)
    {
        if (type == TensorElementType.Bool)
        {
            dest[0] = reader.TokenType switch
            {
                JsonTokenType.True => 1,
                JsonTokenType.False => 0,
                _ => throw Invalid($"input '{name}': element {index} is {Describe(reader.TokenType)}, but BOOL data must be true or false"),
            };
            return;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Invalid($"input '{name}': element {index} is {Describe(reader.TokenType)}, but {TensorDataTypes.Name(type)} data must be numbers");
        }

        var ok = true;
        switch (type)
        {
            case TensorElementType.Float:
                ok = reader.TryGetSingle(out var f) && float.IsFinite(f);
                BinaryPrimitives.WriteSingleLittleEndian(dest, f);
                break;
            case TensorElementType.Double:
                ok = reader.TryGetDouble(out var d) && double.IsFinite(d);
                BinaryPrimitives.WriteDoubleLittleEndian(dest, d);
                break;
            case TensorElementType.Float16:
                ok = reader.TryGetSingle(out var h) && float.IsFinite((float)(Half)h);
                BinaryPrimitives.WriteHalfLittleEndian(dest, (Half)h);
                break;
            case TensorElementType.BFloat16:
                ok = reader.TryGetSingle(out var b) && float.IsFinite(b);
                BinaryPrimitives.WriteUInt16LittleEndian(dest, FloatToBFloat16(b));
                break;
            case TensorElementType.Int8:
                ok = reader.TryGetSByte(out var i8);
                dest[0] = (byte)i8;
                break;
            case TensorElementType.UInt8:
                ok = reader.TryGetByte(out var u8);
                dest[0] = u8;
                break;
            case TensorElementType.Int16:
                ok = reader.TryGetInt16(out var i16);
                BinaryPrimitives.WriteInt16LittleEndian(dest, i16);
                break;
            case TensorElementType.UInt16:
                ok = reader.TryGetUInt16(out var u16);
                BinaryPrimitives.WriteUInt16LittleEndian(dest, u16);
                break;
            case TensorElementType.Int32:
                ok = reader.TryGetInt32(out var i32);
                BinaryPrimitives.WriteInt32LittleEndian(dest, i32);
                break;
            case TensorElementType.UInt32:
                ok = reader.TryGetUInt32(out var u32);
                BinaryPrimitives.WriteUInt32LittleEndian(dest, u32);
                break;
            case TensorElementType.Int64:
                ok = reader.TryGetInt64(out var i64);
                BinaryPrimitives.WriteInt64LittleEndian(dest, i64);
                break;
            case TensorElementType.UInt64:
                ok = reader.TryGetUInt64(out var u64);
                BinaryPrimitives.WriteUInt64LittleEndian(dest, u64);
                break;
            default:
                throw Invalid($"input '{name}': datatype {TensorDataTypes.Name(type)} is not supported");
        }

        if (!ok)
        {
            var text = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            throw Invalid($"input '{name}': element {index} ({text}) is not a valid {TensorDataTypes.Name(type)} value");
        }
    }

    private static ushort FloatToBFloat16(float value)
    {
        // Round to nearest even on the 16 bits that are dropped.
        var bits = BitConverter.SingleToUInt32Bits(value);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
