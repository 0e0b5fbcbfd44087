namespace Modelhost.Vision.Tests;

/// <summary>
/// An 8-bit RGBA image, for tests of transparency: <see cref="Pixels"/> holds R, G, B, A interleaved, row by row from the top. Alpha is
/// straight (not premultiplied); images without transparency have A = 255 everywhere.
/// </summary>
internal sealed class RgbaImage
{
    /// <summary>The number of bytes per pixel.</summary>
    public const int Channels = 4;

    /// <summary>Decodes through the same path as <see cref="ImageDecoder.Decode"/>, keeping alpha (straight).</summary>
    public static RgbaImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        var (image, _, _) = ImageDecoder.DecodePixels(data, options ?? new ImageDecodeOptions(), Channels);
        return new RgbaImage(image.Width, image.Height, image.Pixels);
    }

    /// <summary>Creates a transparent black image.</summary>
    /// <param name="width">The width in pixels, at least 1.</param>
    /// <param name="height">The height in pixels, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive or the image is too large for an array.</exception>
    public RgbaImage(int width, int height)
        : this(width, height, new byte[PixelBuffer.Length(width, height, Channels)])
    {
    }

    /// <summary>Wraps existing pixels without copying them.</summary>
    /// <param name="width">The width in pixels, at least 1.</param>
    /// <param name="height">The height in pixels, at least 1.</param>
    /// <param name="pixels">Interleaved RGBA, row-major, exactly <paramref name="width"/> × <paramref name="height"/> × 4 bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive or the image is too large for an array.</exception>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> has the wrong length.</exception>
    public RgbaImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        PixelBuffer.CheckLength(width, height, Channels, pixels.Length);
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>The width in pixels.</summary>
    public int Width { get; }

    /// <summary>The height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved 8-bit R, G, B, A samples, row-major, <see cref="Width"/> × <see cref="Height"/> × 4 bytes.</summary>
#pragma warning disable CA1819 // The pixel array is the point of the type: callers fill tensors straight from it.
    public byte[] Pixels { get; }
#pragma warning restore CA1819

    /// <summary>
    /// Whether any pixel is not fully opaque. Computed on demand: one pass over the alpha samples.
    /// </summary>
    public bool HasTransparency()
    {
        ReadOnlySpan<byte> pixels = Pixels;
        for (var i = 3; i < pixels.Length; i += Channels)
        {
            if (pixels[i] != 255)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Drops the alpha channel.</summary>
    /// <returns>A new image with the same R, G, B samples.</returns>
    public RgbImage ToRgb()
    {
        var rgb = new byte[Width * Height * RgbImage.Channels];
        ReadOnlySpan<byte> source = Pixels;
        Span<byte> target = rgb;
        for (int s = 0, t = 0; t < target.Length; s += Channels, t += RgbImage.Channels)
        {
            target[t] = source[s];
            target[t + 1] = source[s + 1];
            target[t + 2] = source[s + 2];
        }

        return new RgbImage(Width, Height, rgb);
    }
}
