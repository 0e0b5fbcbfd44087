using System.Text.Json;

namespace Modelhost.Server.Json;

/// <summary>
/// <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>, which JSON lacks but Python's <c>json.dumps</c>, TF Serving and
/// Triton write for float data (a missing value in a row is often a NaN). System.Text.Json cannot read them bare, so a
/// body that failed to parse and holds them is read once more with each quoted (<c>"NaN"</c>), which the float readers
/// take in place of a number, as System.Text.Json's <c>AllowNamedFloatingPointLiterals</c> does. Bodies that parse
/// pay nothing.
/// </summary>
internal static class NonFiniteLiterals
{
    /// <summary>How many bare literals <paramref name="json"/> holds outside its strings.</summary>
    public static int Count(ReadOnlySpan<byte> json)
    {
        var count = 0;
        for (var at = Next(json, 0, out var length); at >= 0; at = Next(json, at + length, out length))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Copies <paramref name="json"/> to <paramref name="destination"/> with each bare literal quoted; the destination
    /// holds <see cref="Count"/> × 2 bytes more. Returns the bytes written.
    /// </summary>
    public static int Quote(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        var read = 0;
        var written = 0;
        for (var at = Next(json, 0, out var length); at >= 0; at = Next(json, at + length, out length))
        {
            json[read..at].CopyTo(destination[written..]);
            written += at - read;
            destination[written++] = (byte)'"';
            json.Slice(at, length).CopyTo(destination[written..]);
            written += length;
            destination[written++] = (byte)'"';
            read = at + length;
        }

        json[read..].CopyTo(destination[written..]);
        return written + json.Length - read;
    }

    /// <summary>
    /// Reads a string token that is one of the three literals (unescaped, as <see cref="Quote"/> writes them) as a
    /// value; false for any other token.
    /// </summary>
    public static bool TryRead(ref readonly Utf8JsonReader reader, out double value)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return false;
        }

        var text = reader.ValueSpan;
        if (text.SequenceEqual("NaN"u8))
        {
            value = double.NaN;
        }
        else if (text.SequenceEqual("Infinity"u8))
        {
            value = double.PositiveInfinity;
        }
        else if (text.SequenceEqual("-Infinity"u8))
        {
            value = double.NegativeInfinity;
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>The index of the next bare literal at or after <paramref name="from"/>, or -1; its length in <paramref name="length"/>.</summary>
    private static int Next(ReadOnlySpan<byte> json, int from, out int length)
    {
        length = 0;
        var i = from;
        while (i < json.Length)
        {
            // Outside strings only '"' (a string begins) and the literals' first letters matter; true, false and null
            // hold neither an N nor an I.
            var skip = json[i..].IndexOfAny((byte)'"', (byte)'N', (byte)'I');
            if (skip < 0)
            {
                return -1;
            }

            i += skip;
            switch (json[i])
            {
                case (byte)'"':
                    i = EndOfString(json, i + 1);
                    break;
                case (byte)'N' when json[i..].StartsWith("NaN"u8):
                    length = 3;
                    return i;
                case (byte)'I' when json[i..].StartsWith("Infinity"u8):
                    var negative = i > 0 && json[i - 1] == '-';
                    length = negative ? 9 : 8;
                    return negative ? i - 1 : i;
                default:
                    i++;
                    break;
            }
        }

        return -1;
    }

    /// <summary>The index just past the quote that ends the string whose text begins at <paramref name="i"/>.</summary>
    private static int EndOfString(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length)
        {
            var next = json[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return json.Length;
            }

            i += next;
            if (json[i] == '"')
            {
                return i + 1;
            }

            // A backslash escapes the byte after it, a quote included.
            i += 2;
        }

        return json.Length;
    }
}
