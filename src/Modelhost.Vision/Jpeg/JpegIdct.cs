using System.Runtime.CompilerServices;

namespace Modelhost.Vision.Jpeg;

/// <summary>
/// The inverse DCT with integer arithmetic of libjpeg's "islow" method: the Loeffler–Ligtenberg–Moschytz
/// factorisation (12 multiplies, 32 adds per 1-D pass), constants scaled by 2^13, two extra bits of precision
/// between the column and the row pass. Using the same method and rounding as libjpeg-turbo's default keeps the
/// output within a level or so of its decodes.
/// </summary>
internal static class JpegIdct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;
    private const int Pass1Shift = ConstBits - Pass1Bits;
    private const int Pass2Shift = ConstBits + Pass1Bits + 3;

    // cos-derived constants × 2^13, rounded.
    private const int Fix0298631336 = 2446;
    private const int Fix0390180644 = 3196;
    private const int Fix0541196100 = 4433;
    private const int Fix0765366865 = 6270;
    private const int Fix0899976223 = 7373;
    private const int Fix1175875602 = 9633;
    private const int Fix1501321110 = 12299;
    private const int Fix1847759065 = 15137;
    private const int Fix1961570560 = 16069;
    private const int Fix2053119869 = 16819;
    private const int Fix2562915447 = 20995;
    private const int Fix3072711026 = 25172;

    /// <summary>Dequantises and inverse-transforms one block into 8×8 samples.</summary>
    /// <param name="coefficients">64 coefficients in natural (row-major) order.</param>
    /// <param name="quant">64 quantisation steps in natural order.</param>
    /// <param name="output">Where the top-left sample goes; rows are <paramref name="stride"/> apart.</param>
    /// <param name="stride">The distance between output rows.</param>
    [SkipLocalsInit]
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<ushort> quant, Span<byte> output, int stride)
    {
        coefficients = coefficients[..64];
        quant = quant[..64];
        if (coefficients[1..].IndexOfAnyExcept((short)0) < 0)
        {
            // Only the DC term, as in most chroma blocks: both passes reduce to one value, computed exactly as
            // the full passes below would.
            var level = Clamp((((coefficients[0] * quant[0] << Pass1Bits) + (1 << (Pass1Bits + 2))) >> (Pass1Bits + 3)) + 128);
            for (var row = 0; row < 8; row++)
            {
                output.Slice(row * stride, 8).Fill(level);
            }

            return;
        }

        Span<int> workspace = stackalloc int[64];

        for (var col = 0; col < 8; col++)
        {
            if (coefficients[8 + col] == 0 && coefficients[16 + col] == 0 && coefficients[24 + col] == 0
                && coefficients[32 + col] == 0 && coefficients[40 + col] == 0 && coefficients[48 + col] == 0
                && coefficients[56 + col] == 0)
            {
                // Only the DC term: the column is flat, and this is exactly what the full pass would compute.
                var dc = coefficients[col] * quant[col] << Pass1Bits;
                for (var row = 0; row < 64; row += 8)
                {
                    workspace[row + col] = dc;
                }

                continue;
            }

            Transform1D(
                coefficients[col] * quant[col],
                coefficients[8 + col] * quant[8 + col],
                coefficients[16 + col] * quant[16 + col],
                coefficients[24 + col] * quant[24 + col],
                coefficients[32 + col] * quant[32 + col],
                coefficients[40 + col] * quant[40 + col],
                coefficients[48 + col] * quant[48 + col],
                coefficients[56 + col] * quant[56 + col],
                out var o0,
                out var o1,
                out var o2,
                out var o3,
                out var o4,
                out var o5,
                out var o6,
                out var o7);
            const int Round1 = 1 << (Pass1Shift - 1);
            workspace[col] = (o0 + Round1) >> Pass1Shift;
            workspace[8 + col] = (o1 + Round1) >> Pass1Shift;
            workspace[16 + col] = (o2 + Round1) >> Pass1Shift;
            workspace[24 + col] = (o3 + Round1) >> Pass1Shift;
            workspace[32 + col] = (o4 + Round1) >> Pass1Shift;
            workspace[40 + col] = (o5 + Round1) >> Pass1Shift;
            workspace[48 + col] = (o6 + Round1) >> Pass1Shift;
            workspace[56 + col] = (o7 + Round1) >> Pass1Shift;
        }

        for (var row = 0; row < 8; row++)
        {
            var w = workspace.Slice(row * 8, 8);
            var target = output.Slice(row * stride, 8);
            if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
            {
                target.Fill(Clamp(((w[0] + (1 << (Pass1Bits + 2))) >> (Pass1Bits + 3)) + 128));
                continue;
            }

            Transform1D(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
            const int Round2 = 1 << (Pass2Shift - 1);
            target[0] = Clamp(((o0 + Round2) >> Pass2Shift) + 128);
            target[1] = Clamp(((o1 + Round2) >> Pass2Shift) + 128);
            target[2] = Clamp(((o2 + Round2) >> Pass2Shift) + 128);
            target[3] = Clamp(((o3 + Round2) >> Pass2Shift) + 128);
            target[4] = Clamp(((o4 + Round2) >> Pass2Shift) + 128);
            target[5] = Clamp(((o5 + Round2) >> Pass2Shift) + 128);
            target[6] = Clamp(((o6 + Round2) >> Pass2Shift) + 128);
            target[7] = Clamp(((o7 + Round2) >> Pass2Shift) + 128);
        }
    }

    /// <summary>One 8-point inverse DCT; the outputs carry a scale of 2^13 (<see cref="ConstBits"/>).</summary>
    private static void Transform1D(
        int in0,
        int in1,
        int in2,
        int in3,
        int in4,
        int in5,
        int in6,
        int in7,
        out int out0,
        out int out1,
        out int out2,
        out int out3,
        out int out4,
        out int out5,
        out int out6,
        out int out7)
    {
        // Even part: a rotation of inputs 2 and 6, plus the butterfly of 0 and 4.
        var z1 = (in2 + in6) * Fix0541196100;
        var even2 = z1 - (in6 * Fix1847759065);
        var even3 = z1 + (in2 * Fix0765366865);
        var even0 = (in0 + in4) << ConstBits;
        var even1 = (in0 - in4) << ConstBits;
        var t10 = even0 + even3;
        var t13 = even0 - even3;
        var t11 = even1 + even2;
        var t12 = even1 - even2;

        // Odd part: inputs 7, 5, 3, 1 through the shared rotation z5.
        int a0 = in7, a1 = in5, a2 = in3, a3 = in1;
        var s1 = a0 + a3;
        var s2 = a1 + a2;
        var s3 = a0 + a2;
        var s4 = a1 + a3;
        var z5 = (s3 + s4) * Fix1175875602;
        a0 *= Fix0298631336;
        a1 *= Fix2053119869;
        a2 *= Fix3072711026;
        a3 *= Fix1501321110;
        s1 *= -Fix0899976223;
        s2 *= -Fix2562915447;
        s3 = (s3 * -Fix1961570560) + z5;
        s4 = (s4 * -Fix0390180644) + z5;
        a0 += s1 + s3;
        a1 += s2 + s4;
        a2 += s2 + s3;
        a3 += s1 + s4;

        out0 = t10 + a3;
        out7 = t10 - a3;
        out1 = t11 + a2;
        out6 = t11 - a2;
        out2 = t12 + a1;
        out5 = t12 - a1;
        out3 = t13 + a0;
        out4 = t13 - a0;
    }

    private static byte Clamp(int value) => (uint)value <= 255 ? (byte)value : value < 0 ? (byte)0 : (byte)255;
}
