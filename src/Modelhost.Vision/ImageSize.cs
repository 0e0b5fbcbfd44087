namespace Modelhost.Vision;

/// <summary>
/// An image's dimensions read from its header alone, so that a server can budget the memory of a decode before
/// any pixel is allocated.
/// </summary>
public static class ImageSize
{
    /// <summary>
    /// Reads the width and height stored in the header of a PNG, JPEG, WebP, GIF or BMP without decoding the pixels
    /// (as stored: an EXIF orientation that exchanges them is not applied).
    /// </summary>
    /// <param name="data">The encoded image.</param>
    /// <param name="width">The width in pixels, or 0 when the header cannot be read.</param>
    /// <param name="height">The height in pixels, or 0 when the header cannot be read.</param>
    /// <returns>Whether both dimensions were found and are positive.</returns>
    public static unsafe bool TryRead(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        switch (ImageDecoder.DetectFormat(data))
        {
            case ImageFormat.Unknown:
                return false;
            case ImageFormat.Png:
                return PngHeader.TryReadSize(data, out width, out height);
        }

        fixed (byte* bytes = data)
        {
            using var codec = SkiaCodecs.TryOpen(bytes, data.Length, out _);
            if (codec is null)
            {
                return false;
            }

            (width, height) = (codec.Info.Width, codec.Info.Height);
        }

        return width > 0 && height > 0;
    }
}
