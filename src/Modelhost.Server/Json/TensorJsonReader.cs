using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Modelhost.Core;
using Modelhost.Core.Tensors;

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

    /// <summary>
    /// Reads data whose shape the request states straight off <paramref name="reader"/>, which is on the data value's
    /// first token; on return it is on the value's last token. Saves a V2 request a second pass over its data.
    /// </summary>
    public static InputTensor ReadWithShape(ref Utf8JsonReader reader, string name, TensorElementType type, long[] shape)
    {
        var count = TensorShape.ElementCount(shape);
        if (count < 0)
        {
            throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} is too large or has a negative dimension");
        }

        return Fill(ref reader, name, type, shape, count);
    }

    /// <summary>
    /// The fast path for FP32 data: reads the array that starts at <paramref name="start"/> (a <c>[</c>) in
    /// <paramref name="json"/> with a scanner of its own, which accepts only strict JSON numbers and arrays, as many
    /// numbers as the shape needs, each a valid FP32. Anything else (null, strings, NaN, a wrong count, bad syntax,
    /// nesting deeper than <paramref name="maxDepth"/>) returns null, and the caller reads the data the general way,
    /// which also words the error. On success <paramref name="end"/> is the index just past the closing bracket.
    /// </summary>
    public static InputTensor? TryReadFloatArray(ReadOnlySpan<byte> json, int start, string name, long[] shape, int maxDepth, out int end)
    {
        end = start;
        var count = TensorShape.ElementCount(shape);
        if (count < 0 || count * sizeof(float) > Array.MaxLength || start >= json.Length || json[start] != '[')
        {
            return null;
        }

        var tensor = InputTensor.Allocate(name, TensorElementType.Float, shape);
        var dest = tensor.Data.Span;
        long index = 0;
        var depth = 0;
        var expectValue = true;
        var i = start;
        while (true)
        {
            while (i < json.Length && json[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                i++;
            }

            if (i >= json.Length)
            {
                break;
            }

            var c = json[i];
            if (expectValue)
            {
                if (c == '[')
                {
                    if (++depth > maxDepth)
                    {
                        break;
                    }

                    i++;
                    while (i < json.Length && json[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
                    {
                        i++;
                    }

                    if (i < json.Length && json[i] == ']')
                    {
                        // An empty array is a complete value.
                        i++;
                        expectValue = false;
                        if (--depth == 0)
                        {
                            return Done(tensor, index, count, i, ref end);
                        }
                    }

                    continue;
                }

                if (index >= count || !TryReadNumber(json, ref i, out var value))
                {
                    break;
                }

                BinaryPrimitives.WriteSingleLittleEndian(dest.Slice((int)(index * sizeof(float)), sizeof(float)), value);
                index++;
                expectValue = false;
            }
            else if (c == ',')
            {
                i++;
                expectValue = true;
            }
            else if (c == ']')
            {
                i++;
                if (--depth == 0)
                {
                    return Done(tensor, index, count, i, ref end);
                }
            }
            else
            {
                break;
            }
        }

        tensor.Dispose();
        return null;

        static InputTensor? Done(InputTensor tensor, long index, long count, int i, ref int end)
        {
            if (index != count)
            {
                tensor.Dispose();
                return null;
            }

            end = i;
            return tensor;
        }
    }

    /// <summary>
    /// Reads one number of JSON's grammar, <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>, as FP32, collecting its
    /// digits as it checks them; false if the text is not such a number or not a finite FP32.
    /// </summary>
    private static bool TryReadNumber(ReadOnlySpan<byte> json, ref int i, out float value)
    {
        value = 0;
        var start = i;
        var negative = false;
        if (i < json.Length && json[i] == '-')
        {
            negative = true;
            i++;
        }

        // Significant digits only: leading zeros are not counted; past 19 the mantissa is not used.
        ulong mantissa = 0;
        var significant = 0;
        var exponent = 0;
        uint digit;
        if (i >= json.Length || (digit = (uint)(json[i] - '0')) > 9)
        {
            return false;
        }

        i++;
        if (digit != 0)
        {
            mantissa = digit;
            significant = 1;
            while (i < json.Length && (digit = (uint)(json[i] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                significant++;
                i++;
            }
        }

        if (i < json.Length && json[i] == '.')
        {
            if (++i >= json.Length || (uint)(json[i] - '0') > 9)
            {
                return false;
            }

            // A float's shortest text has 6 to 9 digits after the point: eight at a time where there are eight, which
            // takes three multiplications instead of a chain of eight (bench/RESULTS.md, "Eight digits at a time").
            while (i <= json.Length - 8 && EightDigits(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(json), i)), out var eight, out var leadingZeros))
            {
                // Past 19 significant digits the mantissa may wrap; it is not used then.
                mantissa = (mantissa * 100_000_000) + eight;
                significant += significant > 0 ? 8 : eight != 0 ? 8 - leadingZeros : 0;
                exponent -= 8;
                i += 8;
            }

            while (i < json.Length && (digit = (uint)(json[i] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                significant += significant > 0 || digit != 0 ? 1 : 0;
                exponent--;
                i++;
            }
        }

        if (i < json.Length && (json[i] | 0x20) == 'e')
        {
            var negativeExponent = false;
            if (++i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                negativeExponent = json[i] == '-';
                i++;
            }

            if (i >= json.Length || (digit = (uint)(json[i] - '0')) > 9)
            {
                return false;
            }

            var explicitExponent = 0;
            do
            {
                // Saturates well past any FP32 exponent; the general code has the last word on such numbers.
                explicitExponent = Math.Min((explicitExponent * 10) + (int)digit, 100_000);
                i++;
            }
            while (i < json.Length && (digit = (uint)(json[i] - '0')) <= 9);
            exponent += negativeExponent ? -explicitExponent : explicitExponent;
        }

        if (significant <= 19 && Utf8Float.TryCompose(mantissa, exponent, negative, out value))
        {
            return float.IsFinite(value);
        }

        return Utf8Float.TryParse(json[start..i], out value);
    }

    /// <summary>
    /// Whether the eight bytes of <paramref name="chunk"/> (little-endian: the first byte lowest) are all ASCII digits,
    /// and if so their value and how many of them are leading zeros; the SWAR method of Lemire's fast_float.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool EightDigits(ulong chunk, out uint value, out int leadingZeros)
    {
        // A byte's high nibble is 3 for '0'..'9', and adding 6 keeps it 3 only for '0'..'9'.
        if (((chunk & 0xF0F0_F0F0_F0F0_F0F0) | (((chunk + 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)) != 0x3333_3333_3333_3333)
        {
            value = 0;
            leadingZeros = 0;
            return false;
        }

        var digits = chunk - 0x3030_3030_3030_3030;
        leadingZeros = BitOperations.TrailingZeroCount(digits) >> 3;

        // Pairs, then fours, then all eight: 10·a + b in each byte pair, 100·ab + cd in each four, 10⁴·abcd + efgh.
        var pairs = (digits * 10) + (digits >> 8);
        value = (uint)((((pairs & 0x0000_00FF_0000_00FF) * 0x000F_4240_0000_0064) + (((pairs >> 16) & 0x0000_00FF_0000_00FF) * 0x0000_2710_0000_0001)) >> 32);
        return true;
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    private static InputTensor Fill(ReadOnlySpan<byte> data, string name, TensorElementType type, long[] shape, long count)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read())
        {
            throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} needs {count} elements, but data holds 0");
        }

        return Fill(ref reader, name, type, shape, count);
    }

    /// <summary>Reads the value the reader is on (a scalar or nested arrays) and stops on its last token.</summary>
    private static InputTensor Fill(ref Utf8JsonReader reader, string name, TensorElementType type, long[] shape, long count)
    {
        if (type == TensorElementType.String)
        {
            return FillStrings(ref reader, name, shape, count);
        }

        var tensor = InputTensor.Allocate(name, type, shape);
        var dest = tensor.Data.Span;
        var size = TensorDataTypes.ElementSize(type);
        long index = 0;
        var depth = reader.CurrentDepth;
        var scalar = reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject);
        try
        {
            while (true)
            {
                var token = reader.TokenType;
                if (token is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
                {
                    if (index >= count)
                    {
                        throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} needs {count} elements, but data holds more");
                    }

                    if (type == TensorElementType.Float && token == JsonTokenType.Number)
                    {
                        // FP32, the common case, without the general number code.
                        if (!Utf8Float.TryParse(reader.ValueSpan, out var f))
                        {
                            throw NotValid(ref reader, name, type, index);
                        }

                        BinaryPrimitives.WriteSingleLittleEndian(dest.Slice((int)(index * sizeof(float)), sizeof(float)), f);
                    }
                    else
                    {
                        WriteElement(ref reader, type, dest.Slice((int)(index * size), size), name, index);
                    }

                    index++;
                }

                if (scalar || (token == JsonTokenType.EndArray && reader.CurrentDepth == depth) || !reader.Read())
                {
                    break;
                }
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

    private static InputTensor FillStrings(ref Utf8JsonReader reader, string name, long[] shape, long count)
    {
        var strings = new ReadOnlyMemory<byte>[count];
        long index = 0;
        var depth = reader.CurrentDepth;
        var scalar = reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject);
        while (true)
        {
            var token = reader.TokenType;
            switch (token)
            {
                case JsonTokenType.StartArray or JsonTokenType.EndArray:
                    break;
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
                    throw Invalid($"input '{name}': element {index} is {Describe(token)}, but BYTES data must be strings");
            }

            if (scalar || (token == JsonTokenType.EndArray && reader.CurrentDepth == depth) || !reader.Read())
            {
                break;
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
            if (NonFiniteLiterals.TryRead(ref reader, out var nonFinite))
            {
                if (type is not (TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or TensorElementType.BFloat16))
                {
                    throw Invalid($"input '{name}': element {index} is {System.Text.Encoding.UTF8.GetString(reader.ValueSpan)}, which only floating-point data (FP16, BF16, FP32, FP64) can hold, not {TensorDataTypes.Name(type)}");
                }

                WriteNonFinite(type, dest, nonFinite);
                return;
            }

            throw Invalid($"input '{name}': element {index} is {Describe(reader.TokenType)}, but {TensorDataTypes.Name(type)} data must be numbers");
        }

        var ok = true;
        switch (type)
        {
            case TensorElementType.Float:
                ok = Utf8Float.TryParse(reader.ValueSpan, out var f);
                BinaryPrimitives.WriteSingleLittleEndian(dest, f);
                break;
            case TensorElementType.Double:
                ok = reader.TryGetDouble(out var d) && double.IsFinite(d);
                BinaryPrimitives.WriteDoubleLittleEndian(dest, d);
                break;
            case TensorElementType.Float16:
                ok = Utf8Float.TryParse(reader.ValueSpan, out var h) && float.IsFinite((float)(Half)h);
                BinaryPrimitives.WriteHalfLittleEndian(dest, (Half)h);
                break;
            case TensorElementType.BFloat16:
                ok = Utf8Float.TryParse(reader.ValueSpan, out var b);
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
            throw NotValid(ref reader, name, type, index);
        }
    }

    private static void WriteNonFinite(TensorElementType type, Span<byte> dest, double value)
    {
        switch (type)
        {
            case TensorElementType.Float:
                BinaryPrimitives.WriteSingleLittleEndian(dest, (float)value);
                break;
            case TensorElementType.Double:
                BinaryPrimitives.WriteDoubleLittleEndian(dest, value);
                break;
            case TensorElementType.Float16:
                BinaryPrimitives.WriteHalfLittleEndian(dest, (Half)value);
                break;
            default:
                BinaryPrimitives.WriteUInt16LittleEndian(dest, FloatToBFloat16((float)value));
                break;
        }
    }

    private static InferenceException NotValid(ref Utf8JsonReader reader, string name, TensorElementType type, long index)
    {
        var text = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        return Invalid($"input '{name}': element {index} ({text}) is not a valid {TensorDataTypes.Name(type)} value");
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
