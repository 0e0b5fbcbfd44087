namespace Modelhost.Vision.Jpeg;

/// <summary>
/// Brings subsampled components to full resolution the way libjpeg-turbo does by default ("fancy upsampling"):
/// a triangle filter, weights 3/4 and 1/4, for 2:1 horizontally and/or vertically, with its alternating rounding
/// biases and edge rows and columns replicated; plain replication for other integral ratios.
/// </summary>
internal static class JpegUpsampler
{
    /// <summary>The samples of component <paramref name="c"/> for output row <paramref name="y"/>.</summary>
    /// <param name="c">The component, already through the inverse DCT.</param>
    /// <param name="hFactor">Hmax / H of the component.</param>
    /// <param name="vFactor">Vmax / V of the component.</param>
    /// <param name="y">The output (full-resolution) row.</param>
    /// <param name="scratch">Room for at least <c>Width × hFactor</c> samples, used when the row must be computed.</param>
    public static ReadOnlySpan<byte> Row(JpegComponent c, int hFactor, int vFactor, int y, Span<byte> scratch)
    {
        var plane = c.Plane!;
        var stride = c.PlaneStride;
        if (hFactor == 1 && vFactor == 1)
        {
            return plane.AsSpan(y * stride, stride);
        }

        var width = c.Width;

        // libjpeg-turbo falls back to replication for h2 when a row has only one or two samples.
        var fancyHorizontal = hFactor == 2 && width > 2;
        if (vFactor == 2 && (hFactor == 1 || fancyHorizontal))
        {
            var nearIndex = y >> 1;
            var farIndex = (y & 1) == 0 ? nearIndex - 1 : nearIndex + 1;
            farIndex = Math.Clamp(farIndex, 0, c.Height - 1);
            var near = plane.AsSpan(nearIndex * stride, stride);
            var far = plane.AsSpan(farIndex * stride, stride);
            if (hFactor == 1)
            {
                Vertical(near, far, width, (y & 1) == 0 ? 1 : 2, scratch);
            }
            else
            {
                Both(near, far, width, scratch);
            }

            return scratch;
        }

        var source = plane.AsSpan((y / vFactor) * stride, stride);
        if (fancyHorizontal && vFactor == 1)
        {
            Horizontal(source, width, scratch);
            return scratch;
        }

        for (var x = 0; x < width * hFactor; x++)
        {
            scratch[x] = source[x / hFactor];
        }

        return scratch;
    }

    private static void Horizontal(ReadOnlySpan<byte> source, int width, Span<byte> output)
    {
        int current = source[0];
        output[0] = (byte)current;
        output[1] = (byte)(((current * 3) + source[1] + 2) >> 2);
        for (var x = 1; x < width - 1; x++)
        {
            var weighted = source[x] * 3;
            output[2 * x] = (byte)((weighted + source[x - 1] + 1) >> 2);
            output[(2 * x) + 1] = (byte)((weighted + source[x + 1] + 2) >> 2);
        }

        current = source[width - 1];
        output[(2 * width) - 2] = (byte)(((current * 3) + source[width - 2] + 1) >> 2);
        output[(2 * width) - 1] = (byte)current;
    }

    private static void Vertical(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, int width, int bias, Span<byte> output)
    {
        for (var x = 0; x < width; x++)
        {
            output[x] = (byte)(((near[x] * 3) + far[x] + bias) >> 2);
        }
    }

    private static void Both(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, int width, Span<byte> output)
    {
        // Column sums carry the vertical 3:1 weighting; the horizontal pass weights them 3:1 again (total /16).
        var here = (near[0] * 3) + far[0];
        var next = (near[1] * 3) + far[1];
        output[0] = (byte)(((here * 4) + 8) >> 4);
        output[1] = (byte)(((here * 3) + next + 7) >> 4);
        var last = here;
        here = next;
        for (var x = 1; x < width - 1; x++)
        {
            next = (near[x + 1] * 3) + far[x + 1];
            output[2 * x] = (byte)(((here * 3) + last + 8) >> 4);
            output[(2 * x) + 1] = (byte)(((here * 3) + next + 7) >> 4);
            last = here;
            here = next;
        }

        output[(2 * width) - 2] = (byte)(((here * 3) + last + 8) >> 4);
        output[(2 * width) - 1] = (byte)(((here * 4) + 7) >> 4);
    }
}
