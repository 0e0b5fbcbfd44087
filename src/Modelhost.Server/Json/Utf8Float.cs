using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;

namespace Modelhost.Server.Json;

/// <summary>
/// FP32 to and from JSON text without the general-purpose number code, which dominates the cost of a V2 request
/// of a few hundred floats. Formatting is Schubfach's shortest round-trip algorithm (Raffaello Giulietti, 2020; the
/// JDK's since 19), laid out exactly as <see cref="System.Text.Json.Utf8JsonWriter.WriteNumberValue(float)"/> lays it
/// out: the same text as the framework for every finite FP32 value, checked one by one; parsing takes
/// the exact fast paths (Clinger's) and leaves every other number to <see cref="Utf8Parser"/>.
/// </summary>
internal static class Utf8Float
{
    /// <summary>The longest text <see cref="Format"/> writes: <c>-1.1754944E-38</c>.</summary>
    public const int MaxLength = 15;

    private const int MantissaBits = 23;
    private const int ExponentBias = 127;
    private const int MinExponent = -149;

    // The decimal exponents Schubfach scales by: floor(log10) of FP32's smallest and largest binary exponents.
    private const int MinK = -45;
    private const int MaxK = 31;

    // 10^0 .. 10^10 are exact in FP32 (5^10 < 2^24), 10^0 .. 10^22 in FP64 (5^22 < 2^53).
    private static readonly float[] _singlePowers = [1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    private static readonly double[] _doublePowers =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    // Schubfach's table, computed once rather than transcribed.
    private static readonly ulong[] _pow10Scaled = Pow10Scaled();

    private static readonly ulong[] _digitCountSteps = DigitCountSteps();

    /// <summary>
    /// Writes the shortest decimal that reads back as <paramref name="value"/>, as the JSON writer does: plain
    /// notation for decimal exponents from -4 to 8 (<c>0.0001</c>, <c>123456790</c>), else <c>1.5E+09</c>,
    /// <c>1E-05</c>. The value must be finite; <paramref name="destination"/> needs room for <see cref="MaxLength"/>,
    /// and bytes past the text, within that room, may be overwritten.
    /// </summary>
    /// <returns>The bytes written.</returns>
    public static int Format(float value, Span<byte> destination)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var pos = 0;
        if ((bits >> 31) != 0)
        {
            destination[pos++] = (byte)'-';
        }

        var ieeeMantissa = bits & ((1u << MantissaBits) - 1);
        var ieeeExponent = (bits >> MantissaBits) & 0xFF;
        if (ieeeExponent == 0 && ieeeMantissa == 0)
        {
            destination[pos++] = (byte)'0';
            return pos;
        }

        // value = c × 2^q; a subnormal's c is its mantissa alone. An integer below 2^24 is its own shortest text.
        var c = ieeeExponent == 0 ? ieeeMantissa : (1u << MantissaBits) | ieeeMantissa;
        var q = ieeeExponent == 0 ? MinExponent : (int)ieeeExponent - ExponentBias - MantissaBits;
        if (q < 0 && q > -MantissaBits - 1 && (c & ((1u << -q) - 1)) == 0)
        {
            return pos + Layout(c >> -q, 0, destination[pos..]);
        }

        var (digits, exponent) = ShortestDecimal(c, q);
        return pos + Layout(digits, exponent, destination[pos..]);
    }

    /// <summary>
    /// Reads a JSON number as FP32 with correct rounding. <paramref name="text"/> is the number alone, already
    /// known to be valid JSON (a <see cref="System.Text.Json.Utf8JsonReader"/> number token).
    /// </summary>
    /// <returns>False if the text is not a number that fits FP32 (infinite after rounding).</returns>
    public static bool TryParse(ReadOnlySpan<byte> text, out float value)
    {
        if (TryParseFast(text, out value))
        {
            return float.IsFinite(value);
        }

        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && float.IsFinite(value);
    }

    /// <summary>The exact cases: at most 19 significant digits whose value one IEEE multiplication or division settles.</summary>
    private static bool TryParseFast(ReadOnlySpan<byte> text, out float value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == '-')
        {
            negative = true;
            i++;
        }

        // Leading zeros are not significant; more than 19 significant digits overflow the mantissa, which is then
        // not used (the fast path gives up).
        ulong mantissa = 0;
        var significant = 0;
        var nonZero = false;
        var exponent = 0;
        var start = i;
        uint digit;
        while (i < text.Length && (digit = (uint)(text[i] - '0')) <= 9)
        {
            mantissa = (mantissa * 10) + digit;
            nonZero |= digit != 0;
            significant += nonZero ? 1 : 0;
            i++;
        }

        var sawDigit = i > start;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            start = i;
            while (i < text.Length && (digit = (uint)(text[i] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                nonZero |= digit != 0;
                significant += nonZero ? 1 : 0;
                exponent--;
                i++;
            }

            sawDigit |= i > start;
        }

        if (!sawDigit || significant > 19)
        {
            return false;
        }

        if (i < text.Length && (text[i] | 0x20) == 'e')
        {
            i++;
            var negativeExponent = false;
            if (i < text.Length && (text[i] == '+' || text[i] == '-'))
            {
                negativeExponent = text[i] == '-';
                i++;
            }

            var explicitExponent = 0;
            start = i;
            while (i < text.Length && (uint)(text[i] - '0') <= 9)
            {
                if (i - start >= 4)
                {
                    return false;
                }

                explicitExponent = (explicitExponent * 10) + (text[i] - '0');
                i++;
            }

            if (i == start)
            {
                return false;
            }

            exponent += negativeExponent ? -explicitExponent : explicitExponent;
        }

        if (i != text.Length)
        {
            return false;
        }

        return TryCompose(mantissa, exponent, negative, out value);
    }

    /// <summary>
    /// The value of ±<paramref name="mantissa"/> × 10^<paramref name="exponent"/> (the mantissa at most 19 digits)
    /// when one exact IEEE multiplication or division settles it; false for the cases that need the general code.
    /// </summary>
    public static bool TryCompose(ulong mantissa, int exponent, bool negative, out float value)
    {
        if (mantissa == 0)
        {
            value = negative ? -0f : 0f;
            return true;
        }

        float result;
        if (mantissa <= (1UL << 24) && exponent >= -10 && exponent <= 10)
        {
            // Both operands are exact in FP32, so the one rounding is the correct one.
            result = exponent >= 0 ? (float)mantissa * _singlePowers[exponent] : (float)mantissa / _singlePowers[-exponent];
        }
        else if (mantissa <= (1UL << 53) && exponent >= -22 && exponent <= 22)
        {
            // Exact operands in FP64 give the correctly rounded double; rounding that to FP32 is correct too unless
            // the double landed exactly half-way between two floats (its low 29 mantissa bits 1000...0), or below
            // the normal range, where FP32 keeps fewer bits.
            var d = exponent >= 0 ? mantissa * _doublePowers[exponent] : mantissa / _doublePowers[-exponent];
            var dbits = BitConverter.DoubleToUInt64Bits(d);
            if ((dbits & 0x1FFF_FFFF) == 0x1000_0000 || d < 1.1754943508222875e-38)
            {
                value = 0;
                return false;
            }

            result = (float)d;
        }
        else
        {
            value = 0;
            return false;
        }

        value = negative ? -result : result;
        return true;
    }

    /// <summary>
    /// Schubfach (Raffaello Giulietti, "The Schubfach way to render doubles", 2020): the shortest digits, and their
    /// decimal exponent, inside the value's rounding interval, the closest to the value among them (ties to even).
    /// The value is <paramref name="c"/> × 2^<paramref name="q"/> with c &gt; 0. Unlike Ryu, which strips one digit
    /// at a time, one scaling by 10^-k puts the interval's width between 1 and 10 units, so the answer is one of four
    /// candidates: the multiples of 10 around the value (one digit shorter) or the integers around it.
    /// </summary>
    private static (uint Digits, int Exponent) ShortestDecimal(uint c, int q)
    {
        // The interval is [c - 1/2, c + 1/2] × 2^q, but [c - 1/4, c + 1/2] × 2^q at a power of two (the ulp below
        // is half the one above); both bounds are in it when c is even. Everything is in units of 2^q / 4.
        var odd = c & 1;
        ulong cb = (ulong)c << 2;
        var cbr = cb + 2;
        ulong cbl;
        int k;
        if (c != 1u << MantissaBits || q == MinExponent)
        {
            cbl = cb - 2;
            k = FloorLog10Pow2(q);
        }
        else
        {
            cbl = cb - 1;
            k = FloorLog10ThreeQuartersPow2(q);
        }

        var h = q + FloorLog2Pow10(-k) + 33;
        var g = _pow10Scaled[k - MinK];
        var vb = RoundToOdd(g, cb << h);
        var vbl = RoundToOdd(g, cbl << h);
        var vbr = RoundToOdd(g, cbr << h);

        // s = floor(v × 10^-k). A multiple of 10 in the interval is the only candidate one digit shorter; below 10
        // that multiple would be 0, never in it.
        var s = vb >> 2;
        if (s >= 10)
        {
            var sp = (uint)((s * 3_435_973_837UL) >> 35);
            var sp10 = 10 * sp;
            var upin = vbl + odd <= sp10 << 2;
            var wpin = ((sp10 + 10) << 2) + odd <= vbr;
            if (upin != wpin)
            {
                return (upin ? sp : sp + 1, k + 1);
            }
        }

        // Else s or s + 1, whichever is in the interval, or the closer one when both are (the even one half-way).
        var t = s + 1;
        var uin = vbl + odd <= s << 2;
        var win = (t << 2) + odd <= vbr;
        if (uin != win)
        {
            return (uin ? s : t, k);
        }

        var cmp = (int)(vb - ((s + t) << 1));
        return (cmp < 0 || (cmp == 0 && (s & 1) == 0) ? s : t, k);
    }

    /// <summary>g × cp / 2^95, with the bits it drops folded into the lowest bit (round to odd), as Schubfach needs.</summary>
    private static uint RoundToOdd(ulong g, ulong cp)
    {
        var x1 = Math.BigMul(g, cp, out _);
        return (uint)((x1 >> 31) | (((x1 & 0xFFFF_FFFF) + 0xFFFF_FFFF) >> 32));
    }

    /// <summary>Writes digits × 10^exponent (no sign) as .NET's "R" format does for a float.</summary>
    private static int Layout(uint digits, int exponent, Span<byte> destination)
    {
        // The digits may end in zeros (an integer like 1000); the text has none.
        while (digits >= 10 && digits % 10 == 0)
        {
            digits /= 10;
            exponent++;
        }

        var count = DecimalLength(digits);

        // The decimal exponent of the first digit, as in 1.234E+05.
        var scientific = exponent + count - 1;
        if ((uint)scientific < 9)
        {
            var integerDigits = scientific + 1;
            if (integerDigits >= count)
            {
                // 1234000
                WriteDigits(digits, count, destination);
                destination[count..integerDigits].Fill((byte)'0');
                return integerDigits;
            }

            // 12.34: the digits one place to the right, then the integer part moved back in front of the point.
            WriteDigits(digits, count, destination[1..]);
            for (var i = 0; i < integerDigits; i++)
            {
                destination[i] = destination[i + 1];
            }

            destination[integerDigits] = (byte)'.';
            return count + 1;
        }

        if (scientific < 0 && scientific > -5)
        {
            // 0.001234
            var zeros = -scientific - 1;
            if (destination.Length >= sizeof(ulong))
            {
                BinaryPrimitives.WriteUInt64LittleEndian(destination, 0x3030_3030_3030_2E30);
            }
            else
            {
                destination[0] = (byte)'0';
                destination[1] = (byte)'.';
                destination.Slice(2, zeros).Fill((byte)'0');
            }

            WriteDigits(digits, count, destination[(2 + zeros)..]);
            return 2 + zeros + count;
        }

        // 1.234E+15, 1E-05: the digits one place to the right, then the first one moved in front of the point.
        WriteDigits(digits, count, destination[1..]);
        destination[0] = destination[1];
        var pos = 1;
        if (count > 1)
        {
            destination[1] = (byte)'.';
            pos = count + 1;
        }

        destination[pos] = (byte)'E';
        destination[pos + 1] = scientific < 0 ? (byte)'-' : (byte)'+';
        var e = Math.Abs(scientific);
        destination[pos + 2] = (byte)('0' + (e / 10));
        destination[pos + 3] = (byte)('0' + (e % 10));
        return pos + 4;
    }

    /// <summary>
    /// Writes exactly <paramref name="count"/> digits (1 to 9) of <paramref name="value"/>, with leading zeros. With
    /// eight bytes of room it writes eight at once (zeros past the digits), so the caller writes what follows after.
    /// </summary>
    private static void WriteDigits(uint value, int count, Span<byte> destination)
    {
        if (count > 8)
        {
            var first = value / 100_000_000;
            destination[0] = (byte)('0' + first);
            value -= first * 100_000_000;
            destination = destination[1..];
            count = 8;
        }

        // The last `count` of the value's eight digits, first digit in the lowest byte.
        var ascii = EightDigits(value) >> ((sizeof(ulong) - count) * 8);
        if (destination.Length >= sizeof(ulong))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination, ascii);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            destination[i] = (byte)(ascii >> (i * 8));
        }
    }

    /// <summary>
    /// The eight decimal digits of <paramref name="value"/> (below 10^8, zero-padded) as ASCII, the first in the
    /// lowest byte: split into halves of four digits, then pairs, then digits, every lane at once with multiplies by
    /// reciprocals (each exact over its lane's range), instead of eight dependent divisions.
    /// </summary>
    private static ulong EightDigits(uint value)
    {
        ulong x = value;
        var high = (x * 109_951_163) >> 40;
        x = high | ((x - (high * 10_000)) << 32);
        var hundreds = ((x * 10_486) >> 20) & 0x0000_007F_0000_007F;
        x = hundreds | ((x - (hundreds * 100)) << 16);
        var tens = ((x * 103) >> 10) & 0x000F_000F_000F_000F;
        x = tens | ((x - (tens * 10)) << 8);
        return x | 0x3030_3030_3030_3030;
    }

    /// <summary>The number of decimal digits of a value of at least 1, without a branch per power of ten.</summary>
    private static int DecimalLength(uint value) => (int)((value + _digitCountSteps[BitOperations.Log2(value)]) >> 32);

    /// <summary>
    /// For each bit length: the digit count of its smallest value in the high half, and in the low half what brings
    /// the values from the next power of ten up (if one falls in that bit length) to the next 2^32, Lemire's table.
    /// </summary>
    private static ulong[] DigitCountSteps()
    {
        var table = new ulong[32];
        for (var bits = 0; bits < 32; bits++)
        {
            var lowest = 1UL << bits;
            var digits = lowest.ToString(CultureInfo.InvariantCulture).Length;
            var next = (ulong)Math.Pow(10, digits);
            table[bits] = ((ulong)digits << 32) + (next < (lowest << 1) ? (1UL << 32) - next : 0);
        }

        return table;
    }

    // floor(q × log10(2)), floor(q × log10(3/4) + q × log10(2)) and floor(e × log2(10)), exact over the exponents
    // an FP32 value has (the constants are Schubfach's).
    private static int FloorLog10Pow2(int q) => (int)((q * 661_971_961_083L) >> 41);

    private static int FloorLog10ThreeQuartersPow2(int q) => (int)(((q * 661_971_961_083L) - 274_743_187_321L) >> 41);

    private static int FloorLog2Pow10(int e) => (int)((e * 913_124_641_741L) >> 38);

    /// <summary>10^-k scaled to 63 bits, plus one: floor(10^-k × 2^(62 - floor(-k × log2(10)))) + 1, for every k.</summary>
    private static ulong[] Pow10Scaled()
    {
        var table = new ulong[MaxK - MinK + 1];
        for (var k = MinK; k <= MaxK; k++)
        {
            var shift = 62 - FloorLog2Pow10(-k);
            var numerator = BigInteger.Pow(10, Math.Max(0, -k)) << Math.Max(0, shift);
            var denominator = BigInteger.Pow(10, Math.Max(0, k)) << Math.Max(0, -shift);
            table[k - MinK] = (ulong)(numerator / denominator) + 1;
        }

        return table;
    }
}
