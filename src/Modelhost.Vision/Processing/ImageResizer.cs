namespace Modelhost.Vision.Processing;

/// <summary>
/// Bilinear resizing with antialiasing: when shrinking, the triangle filter widens with the scale factor so
/// that every source pixel contributes (as Pillow's BILINEAR does), instead of sampling and aliasing.
/// </summary>
public static class ImageResizer
{
    /// <summary>Resizes an RGB image to <paramref name="width"/> × <paramref name="height"/>.</summary>
    /// <param name="source">The image.</param>
    /// <param name="width">The new width.</param>
    /// <param name="height">The new height.</param>
    /// <param name="antialias">
    /// Widen the filter when shrinking (the default). Off, each output pixel blends only its 2×2 nearest
    /// source pixels, as GPU texture sampling and MediaPipe's resize do.
    /// </param>
    public static RgbImage Resize(RgbImage source, int width, int height, bool antialias = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (width == source.Width && height == source.Height)
        {
            return new RgbImage(width, height, (byte[])source.Pixels.Clone());
        }

        var horizontal = FilterWeights.Create(source.Width, width, antialias);
        var vertical = FilterWeights.Create(source.Height, height, antialias);

        // Horizontal pass into a float buffer of width × source height, then the vertical pass.
        var temp = new float[width * source.Height * 3];
        var src = source.Pixels;
        for (var y = 0; y < source.Height; y++)
        {
            var srcRow = y * source.Width * 3;
            var dstRow = y * width * 3;
            for (var x = 0; x < width; x++)
            {
                var first = horizontal.First[x];
                var weights = horizontal.Weights(x);
                float r = 0, g = 0, b = 0;
                for (var k = 0; k < weights.Length; k++)
                {
                    var p = srcRow + ((first + k) * 3);
                    var w = weights[k];
                    r += src[p] * w;
                    g += src[p + 1] * w;
                    b += src[p + 2] * w;
                }

                var d = dstRow + (x * 3);
                temp[d] = r;
                temp[d + 1] = g;
                temp[d + 2] = b;
            }
        }

        var result = new RgbImage(width, height);
        var dst = result.Pixels;
        var rowFloats = width * 3;
        for (var y = 0; y < height; y++)
        {
            var first = vertical.First[y];
            var weights = vertical.Weights(y);
            var dstRow = y * rowFloats;
            for (var i = 0; i < rowFloats; i++)
            {
                float v = 0;
                for (var k = 0; k < weights.Length; k++)
                {
                    v += temp[((first + k) * rowFloats) + i] * weights[k];
                }

                dst[dstRow + i] = ToByte(v);
            }
        }

        return result;
    }

    private static byte ToByte(float v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);

    /// <summary>For each output coordinate, the first source index and the normalized weights of its taps.</summary>
    private sealed class FilterWeights
    {
        private readonly float[] _weights;
        private readonly int _taps;

        private FilterWeights(int[] first, int[] count, float[] weights, int taps)
        {
            First = first;
            Count = count;
            _weights = weights;
            _taps = taps;
        }

        public int[] First { get; }

        public int[] Count { get; }

        public ReadOnlySpan<float> Weights(int index) => _weights.AsSpan(index * _taps, Count[index]);

        public static FilterWeights Create(int sourceSize, int targetSize, bool antialias)
        {
            var scale = (double)sourceSize / targetSize;
            var support = antialias ? Math.Max(scale, 1.0) : 1.0;
            var taps = (int)Math.Ceiling(support) * 2 + 1;
            var first = new int[targetSize];
            var count = new int[targetSize];
            var weights = new float[targetSize * taps];
            for (var i = 0; i < targetSize; i++)
            {
                var center = (i + 0.5) * scale;
                var lo = Math.Max(0, (int)Math.Floor(center - support));
                var hi = Math.Min(sourceSize, (int)Math.Ceiling(center + support));
                double sum = 0;
                var n = 0;
                for (var j = lo; j < hi && n < taps; j++)
                {
                    var w = 1.0 - (Math.Abs((j + 0.5 - center) / support));
                    if (w <= 0)
                    {
                        if (n == 0)
                        {
                            lo = j + 1;
                        }

                        continue;
                    }

                    weights[(i * taps) + n] = (float)w;
                    sum += w;
                    n++;
                }

                if (n == 0)
                {
                    // A target pixel between two source centres with no positive weight: take the nearest.
                    lo = Math.Clamp((int)center, 0, sourceSize - 1);
                    weights[i * taps] = 1;
                    sum = 1;
                    n = 1;
                }

                for (var k = 0; k < n; k++)
                {
                    weights[(i * taps) + k] = (float)(weights[(i * taps) + k] / sum);
                }

                first[i] = lo;
                count[i] = n;
            }

            return new FilterWeights(first, count, weights, taps);
        }
    }
}
