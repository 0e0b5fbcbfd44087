using System.IO.Compression;
using SkiaSharp;

namespace Modelhost.Vision;

/// <summary>Writes 8-bit RGB PNG files through Skia's encoder (libpng, every filter tried per row).</summary>
public static class PngEncoder
{
    /// <summary>Encodes an image as a non-interlaced 8-bit RGB PNG.</summary>
    /// <param name="image">The pixels to write.</param>
    /// <returns>The complete PNG file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public static byte[] Encode(RgbImage image) => Encode(image, CompressionLevel.Optimal);

    /// <summary>Encodes an image as a non-interlaced 8-bit RGB PNG with a chosen zlib effort.</summary>
    /// <param name="image">The pixels to write.</param>
    /// <param name="compressionLevel">
    /// The trade between speed and size; <see cref="CompressionLevel.Fastest"/> suits responses that are
    /// drawn once and sent once.
    /// </param>
    /// <returns>The complete PNG file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public static unsafe byte[] Encode(RgbImage image, CompressionLevel compressionLevel)
    {
        ArgumentNullException.ThrowIfNull(image);

        // Skia holds no packed RGB: opaque RGBA is written as a PNG of colour type 2 (RGB).
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var rgba = GC.AllocateUninitializedArray<byte>(info.BytesSize);
        ReadOnlySpan<byte> rgb = image.Pixels;
        for (int s = 0, t = 0; s < rgb.Length; s += RgbImage.Channels, t += 4)
        {
            rgba[t] = rgb[s];
            rgba[t + 1] = rgb[s + 1];
            rgba[t + 2] = rgb[s + 2];
            rgba[t + 3] = 255;
        }

        var zlibLevel = compressionLevel switch
        {
            CompressionLevel.NoCompression => 0,
            CompressionLevel.Fastest => 1,
            CompressionLevel.SmallestSize => 9,
            _ => 6,
        };
        fixed (byte* pixels = rgba)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)pixels, info.RowBytes);
            using var png = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zlibLevel))
                ?? throw new InvalidOperationException($"Skia could not encode a {image.Width}x{image.Height} PNG");
            return png.ToArray();
        }
    }
}
