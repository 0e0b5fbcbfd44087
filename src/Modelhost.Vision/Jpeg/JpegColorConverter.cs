namespace Modelhost.Vision.Jpeg;

/// <summary>
/// Converts rows of full-resolution component samples to interleaved 8-bit RGB(A). YCbCr uses the JFIF equations
/// in libjpeg's 16-bit fixed point with the same rounding, so results match libjpeg-turbo's exactly.
/// </summary>
internal static class JpegColorConverter
{
    private const int ScaleBits = 16;
    private const int OneHalf = 1 << (ScaleBits - 1);

    private static readonly int[] s_crToRed = new int[256];
    private static readonly int[] s_cbToBlue = new int[256];
    private static readonly int[] s_crToGreen = new int[256];
    private static readonly int[] s_cbToGreen = new int[256];

#pragma warning disable CA1810 // The four tables are filled in one loop; field initialisers would need four.
    static JpegColorConverter()
#pragma warning restore CA1810
    {
        for (var i = 0; i < 256; i++)
        {
            var x = i - 128;
            s_crToRed[i] = ((Fix(1.40200) * x) + OneHalf) >> ScaleBits;
            s_cbToBlue[i] = ((Fix(1.77200) * x) + OneHalf) >> ScaleBits;
            s_crToGreen[i] = -Fix(0.71414) * x;
            s_cbToGreen[i] = (-Fix(0.34414) * x) + OneHalf;
        }
    }

    public static void Convert(JpegColorSpace space, ReadOnlySpan<byte> c0, ReadOnlySpan<byte> c1, ReadOnlySpan<byte> c2, ReadOnlySpan<byte> c3, Span<byte> output, int width, int channels)
    {
        switch (space)
        {
            case JpegColorSpace.Gray:
                Gray(c0, output, width, channels);
                break;
            case JpegColorSpace.YCbCr:
                YCbCr(c0, c1, c2, output, width, channels);
                break;
            case JpegColorSpace.Rgb:
                Rgb(c0, c1, c2, output, width, channels);
                break;
            case JpegColorSpace.Cmyk:
                Cmyk(c0, c1, c2, c3, output, width, channels);
                break;
            default:
                Ycck(c0, c1, c2, c3, output, width, channels);
                break;
        }
    }

    private static void Gray(ReadOnlySpan<byte> gray, Span<byte> output, int width, int channels)
    {
        gray = gray[..width];
        for (int x = 0, o = 0; x < gray.Length; x++, o += channels)
        {
            output[o] = output[o + 1] = output[o + 2] = gray[x];
            if (channels == 4)
            {
                output[o + 3] = 255;
            }
        }
    }

    private static void YCbCr(ReadOnlySpan<byte> luma, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> output, int width, int channels)
    {
        ReadOnlySpan<int> crToRed = s_crToRed, cbToBlue = s_cbToBlue, crToGreen = s_crToGreen, cbToGreen = s_cbToGreen;
        luma = luma[..width];
        cb = cb[..width];
        cr = cr[..width];
        for (int x = 0, o = 0; x < luma.Length; x++, o += channels)
        {
            int y = luma[x], blue = cb[x], red = cr[x];
            output[o] = Clamp(y + crToRed[red]);
            output[o + 1] = Clamp(y + ((cbToGreen[blue] + crToGreen[red]) >> ScaleBits));
            output[o + 2] = Clamp(y + cbToBlue[blue]);
            if (channels == 4)
            {
                output[o + 3] = 255;
            }
        }
    }

    private static void Rgb(ReadOnlySpan<byte> r, ReadOnlySpan<byte> g, ReadOnlySpan<byte> b, Span<byte> output, int width, int channels)
    {
        for (int x = 0, o = 0; x < width; x++, o += channels)
        {
            output[o] = r[x];
            output[o + 1] = g[x];
            output[o + 2] = b[x];
            if (channels == 4)
            {
                output[o + 3] = 255;
            }
        }
    }

    // Adobe CMYK is stored inverted, so each stored sample is already "amount of light": multiply by the
    // inverted K to darken.
    private static void Cmyk(ReadOnlySpan<byte> c, ReadOnlySpan<byte> m, ReadOnlySpan<byte> y, ReadOnlySpan<byte> k, Span<byte> output, int width, int channels)
    {
        for (int x = 0, o = 0; x < width; x++, o += channels)
        {
            int black = k[x];
            output[o] = Multiply(c[x], black);
            output[o + 1] = Multiply(m[x], black);
            output[o + 2] = Multiply(y[x], black);
            if (channels == 4)
            {
                output[o + 3] = 255;
            }
        }
    }

    // YCCK undoes to the complements of the stored (inverted) CMY, then continues as CMYK.
    private static void Ycck(ReadOnlySpan<byte> luma, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, ReadOnlySpan<byte> k, Span<byte> output, int width, int channels)
    {
        ReadOnlySpan<int> crToRed = s_crToRed, cbToBlue = s_cbToBlue, crToGreen = s_crToGreen, cbToGreen = s_cbToGreen;
        for (int x = 0, o = 0; x < width; x++, o += channels)
        {
            int y = luma[x], blue = cb[x], red = cr[x], black = k[x];
            output[o] = Multiply(255 - Clamp(y + crToRed[red]), black);
            output[o + 1] = Multiply(255 - Clamp(y + ((cbToGreen[blue] + crToGreen[red]) >> ScaleBits)), black);
            output[o + 2] = Multiply(255 - Clamp(y + cbToBlue[blue]), black);
            if (channels == 4)
            {
                output[o + 3] = 255;
            }
        }
    }

    private static int Fix(double x) => (int)((x * (1 << ScaleBits)) + 0.5);

    private static byte Multiply(int a, int b) => (byte)(((a * b) + 127) / 255);

    private static byte Clamp(int value) => (uint)value <= 255 ? (byte)value : value < 0 ? (byte)0 : (byte)255;
}
