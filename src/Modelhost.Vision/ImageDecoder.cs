namespace Modelhost.Vision;

/// <summary>
/// Decodes PNG, JPEG (baseline and progressive), WebP, GIF (the first frame) and BMP through Skia's codecs, picking
/// the format by its signature. Dimensions are read from the header and checked against the limits before any
/// pixel is allocated. Every failure is an <see cref="ImageDecodeException"/>, whatever the bytes.
/// </summary>
public static class ImageDecoder
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Decodes an image to 8-bit RGB; alpha, if any, is dropped (the colours are kept unpremultiplied).</summary>
    /// <param name="data">The encoded image.</param>
    /// <param name="options">Limits and choices; <see langword="null"/> for the defaults.</param>
    /// <returns>
    /// The pixels, in viewing orientation when the image has an EXIF orientation (unless turned off), and at a
    /// reduced scale when <see cref="ImageDecodeOptions.Target"/> allows it for a JPEG.
    /// </returns>
    /// <exception cref="ImageDecodeException">The data is not a decodable image of a supported format, or exceeds a limit.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        var (image, sourceWidth, sourceHeight) = DecodePixels(data, options ?? ImageDecodeOptions.Default, RgbImage.Channels);
        return new RgbImage(image.Width, image.Height, image.Pixels, sourceWidth, sourceHeight);
    }

    /// <summary>Recognises the format by its signature without decoding anything.</summary>
    /// <param name="data">The start of the encoded image (12 bytes suffice).</param>
    /// <returns>The format, or <see cref="ImageFormat.Unknown"/> if no signature matches.</returns>
    public static ImageFormat DetectFormat(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(PngSignature))
        {
            return ImageFormat.Png;
        }

        if (data.Length >= 2 && data[0] == 0xFF && data[1] == 0xD8)
        {
            return ImageFormat.Jpeg;
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..].StartsWith("WEBP"u8))
        {
            return ImageFormat.Webp;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return ImageFormat.Gif;
        }

        return data.StartsWith("BM"u8) ? ImageFormat.Bmp : ImageFormat.Unknown;
    }

    /// <summary>Decodes to 3 (RGB) or 4 (RGBA) channels, with the full size of the image in viewing orientation.</summary>
    internal static unsafe (DecodedImage Image, int SourceWidth, int SourceHeight) DecodePixels(ReadOnlySpan<byte> data, ImageDecodeOptions options, int channels)
    {
        if (data.IsEmpty)
        {
            throw new ImageDecodeException(ImageErrorKind.Truncated, "image data is empty");
        }

        ImageLimits.CheckInput(data.Length, options);
        var format = DetectFormat(data);
        if (format == ImageFormat.Unknown)
        {
            // A few bytes that start like a signature are a cut-off image rather than another format.
            if (StartsASignature(data))
            {
                throw new ImageDecodeException(ImageErrorKind.Truncated, "image data ends inside the signature");
            }

            throw new ImageDecodeException(ImageErrorKind.Unsupported, "not a PNG or JPEG image, nor WebP, GIF or BMP");
        }

        // A PNG's size is known from its first chunk, before Skia reads on to the pixels.
        if (format == ImageFormat.Png && PngHeader.TryReadSize(data, out var width, out var height))
        {
            ImageLimits.CheckDimensions(width, height, options);
        }

        fixed (byte* bytes = data)
        {
            using var codec = SkiaCodecs.Open(bytes, data.Length, format);
            return SkiaCodecs.Decode(codec, data, format, options, channels);
        }
    }

    private static bool StartsASignature(ReadOnlySpan<byte> data) =>
        PngSignature.StartsWith(data)
        || (data.Length == 1 && data[0] == 0xFF)
        || (data.Length < 12 && ("RIFF"u8.StartsWith(data) || data.StartsWith("RIFF"u8)))
        || "GIF87a"u8.StartsWith(data)
        || "GIF89a"u8.StartsWith(data)
        || (data.Length == 1 && data[0] == (byte)'B');
}
