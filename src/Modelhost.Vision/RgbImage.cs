namespace Modelhost.Vision;

/// <summary>An 8-bit RGB image: <see cref="Pixels"/> holds R, G, B interleaved, row by row from the top.</summary>
public sealed class RgbImage
{
    /// <summary>The number of bytes per pixel.</summary>
    public const int Channels = 3;

    /// <summary>Creates a black image.</summary>
    /// <param name="width">The width in pixels, at least 1.</param>
    /// <param name="height">The height in pixels, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive or the image is too large for an array.</exception>
    public RgbImage(int width, int height)
        : this(width, height, new byte[PixelBuffer.Length(width, height, Channels)])
    {
    }

    /// <summary>Wraps existing pixels without copying them.</summary>
    /// <param name="width">The width in pixels, at least 1.</param>
    /// <param name="height">The height in pixels, at least 1.</param>
    /// <param name="pixels">Interleaved RGB, row-major, exactly <paramref name="width"/> × <paramref name="height"/> × 3 bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive or the image is too large for an array.</exception>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> has the wrong length.</exception>
    public RgbImage(int width, int height, byte[] pixels)
        : this(width, height, pixels, width, height)
    {
    }

    /// <summary>Wraps pixels decoded at a reduced scale from an image of the given full size.</summary>
    internal RgbImage(int width, int height, byte[] pixels, int sourceWidth, int sourceHeight)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        PixelBuffer.CheckLength(width, height, Channels, pixels.Length);
        Width = width;
        Height = height;
        Pixels = pixels;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
    }

    /// <summary>The width in pixels.</summary>
    public int Width { get; }

    /// <summary>The height in pixels.</summary>
    public int Height { get; }

    /// <summary>
    /// The width of the image this one was decoded from, in viewing orientation: <see cref="Width"/>, unless the
    /// decoder shrank it for a model input (<see cref="ImageDecodeOptions.Target"/>).
    /// </summary>
    public int SourceWidth { get; }

    /// <summary>The height of the image this one was decoded from; see <see cref="SourceWidth"/>.</summary>
    public int SourceHeight { get; }

    /// <summary>Interleaved 8-bit R, G, B samples, row-major, <see cref="Width"/> × <see cref="Height"/> × 3 bytes.</summary>
#pragma warning disable CA1819 // The pixel array is the point of the type: callers fill tensors straight from it.
    public byte[] Pixels { get; }
#pragma warning restore CA1819

    /// <summary>The bytes of one row.</summary>
    /// <param name="y">The row, from 0 at the top.</param>
    /// <returns>A span of <see cref="Width"/> × 3 bytes over <see cref="Pixels"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="y"/> is outside the image.</exception>
    public Span<byte> GetRow(int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        return Pixels.AsSpan(y * Width * Channels, Width * Channels);
    }
}
