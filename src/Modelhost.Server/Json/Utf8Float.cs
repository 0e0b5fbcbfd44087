using System.Buffers.Text;
using System.Numerics;

namespace Modelhost.Server.Json;

/// <summary>
/// FP32 to and from JSON text without the general-purpose number code, which dominates the cost of a V2 request
/// of a few hundred floats. Formatting is Ryu's shortest round-trip algorithm (Ulf Adams, PLDI 2018, f2s) laid out
/// exactly as <see cref="System.Text.Json.Utf8JsonWriter.WriteNumberValue(float)"/> lays it out; parsing takes
/// the exact fast paths (Clinger's) and leaves every other number to <see cref="Utf8Parser"/>.
/// </summary>
internal static class Utf8Float
{
    /// <summary>The longest text <see cref="Format"/> writes: <c>-1.1754944E-38</c>.</summary>
    public const int MaxLength = 15;

    private const int MantissaBits = 23;
    private const int ExponentBias = 127;
    private const int Pow5InvBitCount = 59;
    private const int Pow5BitCount = 61;

    // 10^0 .. 10^10 are exact in FP32 (5^10 < 2^24), 10^0 .. 10^22 in FP64 (5^22 < 2^53).
    private static readonly float[] _singlePowers = [1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    private static readonly uint[] _uintPowers = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

    private static readonly double[] _doublePowers =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    // Ryu's tables, computed once rather than transcribed: 2^k / 5^q rounded up, and 5^i scaled to 61 bits.
    private static readonly ulong[] _pow5InvSplit = Pow5InvSplit(31);
    private static readonly ulong[] _pow5Split = Pow5Split(47);

    /// <summary>
    /// Writes the shortest decimal that reads back as <paramref name="value"/>, as the JSON writer does: plain
    /// notation for decimal exponents from -4 to 8 (<c>0.0001</c>, <c>123456790</c>), else <c>1.5E+09</c>,
    /// <c>1E-05</c>. The value must be finite; <paramref name="destination"/> needs room for <see cref="MaxLength"/>.
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

        var (digits, exponent) = ShortestDecimal(ieeeMantissa, ieeeExponent);
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

    /// <summary>Ryu f2s: the shortest digits (and their decimal exponent) inside the value's rounding interval.</summary>
    private static (uint Digits, int Exponent) ShortestDecimal(uint ieeeMantissa, uint ieeeExponent)
    {
        int e2;
        uint m2;
        if (ieeeExponent == 0)
        {
            e2 = 1 - ExponentBias - MantissaBits - 2;
            m2 = ieeeMantissa;
        }
        else
        {
            e2 = (int)ieeeExponent - ExponentBias - MantissaBits - 2;
            m2 = (1u << MantissaBits) | ieeeMantissa;
        }

        var acceptBounds = (m2 & 1) == 0;
        var mv = 4 * m2;
        var mp = (4 * m2) + 2;
        var mmShift = ieeeMantissa != 0 || ieeeExponent <= 1 ? 1u : 0u;
        var mm = (4 * m2) - 1 - mmShift;

        uint vr, vp, vm;
        int e10;
        var vmIsTrailingZeros = false;
        var vrIsTrailingZeros = false;
        uint lastRemovedDigit = 0;
        if (e2 >= 0)
        {
            var q = Log10Pow2(e2);
            e10 = (int)q;
            var k = Pow5InvBitCount + Pow5Bits((int)q) - 1;
            var i = -e2 + (int)q + k;
            vr = MulShift(mv, _pow5InvSplit[q], i);
            vp = MulShift(mp, _pow5InvSplit[q], i);
            vm = MulShift(mm, _pow5InvSplit[q], i);
            if (q != 0 && (vp - 1) / 10 <= vm / 10)
            {
                var l = Pow5InvBitCount + Pow5Bits((int)(q - 1)) - 1;
                lastRemovedDigit = MulShift(mv, _pow5InvSplit[q - 1], -e2 + (int)q - 1 + l) % 10;
            }

            if (q <= 9)
            {
                if (mv % 5 == 0)
                {
                    vrIsTrailingZeros = MultipleOfPowerOf5(mv, q);
                }
                else if (acceptBounds)
                {
                    vmIsTrailingZeros = MultipleOfPowerOf5(mm, q);
                }
                else if (MultipleOfPowerOf5(mp, q))
                {
                    vp--;
                }
            }
        }
        else
        {
            var q = Log10Pow5(-e2);
            e10 = (int)q + e2;
            var i = -e2 - (int)q;
            var k = Pow5Bits(i) - Pow5BitCount;
            var j = (int)q - k;
            vr = MulShift(mv, _pow5Split[i], j);
            vp = MulShift(mp, _pow5Split[i], j);
            vm = MulShift(mm, _pow5Split[i], j);
            if (q != 0 && (vp - 1) / 10 <= vm / 10)
            {
                j = (int)q - 1 - (Pow5Bits(i + 1) - Pow5BitCount);
                lastRemovedDigit = MulShift(mv, _pow5Split[i + 1], j) % 10;
            }

            if (q <= 1)
            {
                vrIsTrailingZeros = true;
                if (acceptBounds)
                {
                    vmIsTrailingZeros = mmShift == 1;
                }
                else
                {
                    vp--;
                }
            }
            else if (q < 31)
            {
                vrIsTrailingZeros = (mv & ((1u << (int)(q - 1)) - 1)) == 0;
            }
        }

        var removed = 0;
        uint output;
        if (vmIsTrailingZeros || vrIsTrailingZeros)
        {
            while (vp / 10 > vm / 10)
            {
                vmIsTrailingZeros &= vm % 10 == 0;
                vrIsTrailingZeros &= lastRemovedDigit == 0;
                lastRemovedDigit = vr % 10;
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }

            if (vmIsTrailingZeros)
            {
                while (vm % 10 == 0)
                {
                    vrIsTrailingZeros &= lastRemovedDigit == 0;
                    lastRemovedDigit = vr % 10;
                    vr /= 10;
                    vp /= 10;
                    vm /= 10;
                    removed++;
                }
            }

            if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0)
            {
                // Exactly half-way: round to even.
                lastRemovedDigit = 4;
            }

            output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1u : 0u);
        }
        else
        {
            while (vp / 10 > vm / 10)
            {
                lastRemovedDigit = vr % 10;
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }

            output = vr + (vr == vm || lastRemovedDigit >= 5 ? 1u : 0u);
        }

        return (output, e10 + removed);
    }

    /// <summary>Writes digits × 10^exponent (no sign) as .NET's "R" format does for a float.</summary>
    private static int Layout(uint digits, int exponent, Span<byte> destination)
    {
        // Ryu may leave trailing zeros (1E+15 comes out as 1000 × 10^12); the text has none.
        while (digits >= 10 && digits % 10 == 0)
        {
            digits /= 10;
            exponent++;
        }

        var count = DecimalLength(digits);

        // The decimal exponent of the first digit, as in 1.234E+05.
        var scientific = exponent + count - 1;
        if (scientific >= 0 && scientific < 9)
        {
            var integerDigits = scientific + 1;
            if (integerDigits >= count)
            {
                // 1234000
                WriteDigits(digits, count, destination);
                destination[count..integerDigits].Fill((byte)'0');
                return integerDigits;
            }

            // 12.34
            var fractionDigits = count - integerDigits;
            var scale = _uintPowers[fractionDigits];
            WriteDigits(digits / scale, integerDigits, destination);
            destination[integerDigits] = (byte)'.';
            WriteDigits(digits % scale, fractionDigits, destination[(integerDigits + 1)..]);
            return count + 1;
        }

        if (scientific < 0 && scientific > -5)
        {
            // 0.001234
            var zeros = -scientific - 1;
            destination[0] = (byte)'0';
            destination[1] = (byte)'.';
            destination.Slice(2, zeros).Fill((byte)'0');
            WriteDigits(digits, count, destination[(2 + zeros)..]);
            return 2 + zeros + count;
        }

        // 1.234E+15, 1E-05
        var pos = 1;
        if (count == 1)
        {
            destination[0] = (byte)('0' + digits);
        }
        else
        {
            var scale = _uintPowers[count - 1];
            destination[0] = (byte)('0' + (digits / scale));
            destination[1] = (byte)'.';
            WriteDigits(digits % scale, count - 1, destination[2..]);
            pos = count + 1;
        }

        destination[pos] = (byte)'E';
        destination[pos + 1] = scientific < 0 ? (byte)'-' : (byte)'+';
        var e = Math.Abs(scientific);
        destination[pos + 2] = (byte)('0' + (e / 10));
        destination[pos + 3] = (byte)('0' + (e % 10));
        return pos + 4;
    }

    /// <summary>Writes exactly <paramref name="count"/> digits of <paramref name="value"/>, with leading zeros.</summary>
    private static void WriteDigits(uint value, int count, Span<byte> destination)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            var next = value / 10;
            destination[i] = (byte)('0' + (value - (next * 10)));
            value = next;
        }
    }

    private static int DecimalLength(uint value) =>
        value >= 100_000_000 ? 9 :
        value >= 10_000_000 ? 8 :
        value >= 1_000_000 ? 7 :
        value >= 100_000 ? 6 :
        value >= 10_000 ? 5 :
        value >= 1_000 ? 4 :
        value >= 100 ? 3 :
        value >= 10 ? 2 : 1;

    private static uint MulShift(uint m, ulong factor, int shift)
    {
        var factorLo = (uint)factor;
        var factorHi = (uint)(factor >> 32);
        var bits0 = (ulong)m * factorLo;
        var bits1 = (ulong)m * factorHi;
        var sum = (bits0 >> 32) + bits1;
        return (uint)(sum >> (shift - 32));
    }

    private static bool MultipleOfPowerOf5(uint value, uint p)
    {
        uint count = 0;
        while (value != 0 && value % 5 == 0)
        {
            value /= 5;
            count++;
        }

        return count >= p;
    }

    // ceil(log2(5^e)) for e > 0, 1 for e == 0.
    private static int Pow5Bits(int e) => (int)((((uint)e * 1217359) >> 19) + 1);

    // floor(log10(2^e)).
    private static uint Log10Pow2(int e) => ((uint)e * 78913) >> 18;

    // floor(log10(5^e)).
    private static uint Log10Pow5(int e) => ((uint)e * 732923) >> 20;

    private static ulong[] Pow5InvSplit(int count)
    {
        var table = new ulong[count];
        for (var q = 0; q < count; q++)
        {
            var pow5 = BigInteger.Pow(5, q);
            var shift = Pow5Bits(q) - 1 + Pow5InvBitCount;
            table[q] = (ulong)((BigInteger.One << shift) / pow5) + 1;
        }

        return table;
    }

    private static ulong[] Pow5Split(int count)
    {
        var table = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            var pow5 = BigInteger.Pow(5, i);
            var shift = Pow5Bits(i) - Pow5BitCount;
            table[i] = (ulong)(shift >= 0 ? pow5 >> shift : pow5 << -shift);
        }

        return table;
    }
}
