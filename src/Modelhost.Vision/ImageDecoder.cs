using Modelhost.Vision.Jpeg;
using Modelhost.Vision.Png;

namespace Modelhost.Vision;

/// <summary>
/// Decodes PNG and JPEG images in managed code, picking the format by its signature. Every failure is an
/// <see cref="ImageDecodeException"/>, whatever the bytes.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes an image to 8-bit RGB; alpha, if any, is dropped.</summary>
    /// <param name="data">The encoded image.</param>
    /// <param name="options">Limits and choices; <see langword="null"/> for the defaults.</param>
    /// <returns>The pixels, in viewing orientation for JPEGs with EXIF orientation (unless turned off).</returns>
    /// <exception cref="ImageDecodeException">The data is not a decodable PNG or JPEG, or exceeds a limit.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        var image = Decode(data, options ?? ImageDecodeOptions.Default, RgbImage.Channels);
        return new RgbImage(image.Width, image.Height, image.Pixels);
    }

    /// <summary>Decodes an image to 8-bit RGBA, keeping PNG transparency (JPEGs come out opaque).</summary>
    /// <param name="data">The encoded image.</param>
    /// <param name="options">Limits and choices; <see langword="null"/> for the defaults.</param>
    /// <returns>The pixels, in viewing orientation for JPEGs with EXIF orientation (unless turned off).</returns>
    /// <exception cref="ImageDecodeException">The data is not a decodable PNG or JPEG, or exceeds a limit.</exception>
    public static RgbaImage DecodeRgba(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        var image = Decode(data, options ?? ImageDecodeOptions.Default, RgbaImage.Channels);
        return new RgbaImage(image.Width, image.Height, image.Pixels);
    }

    /// <summary>Recognises the format by its signature without decoding anything.</summary>
    /// <param name="data">The start of the encoded image (8 bytes suffice).</param>
    /// <returns>The format, or <see cref="ImageFormat.Unknown"/> if neither signature matches.</returns>
    public static ImageFormat DetectFormat(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(PngDecoder.Signature))
        {
            return ImageFormat.Png;
        }

        return data.Length >= 2 && data[0] == 0xFF && data[1] == 0xD8 ? ImageFormat.Jpeg : ImageFormat.Unknown;
    }

    private static DecodedImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options, int channels)
    {
        if (data.IsEmpty)
        {
            throw new ImageDecodeException(ImageErrorKind.Truncated, "image data is empty");
        }

        ImageLimits.CheckInput(data.Length, options);
        switch (DetectFormat(data))
        {
            case ImageFormat.Png:
                return PngDecoder.Decode(data, options, channels);
            case ImageFormat.Jpeg:
                return JpegDecoder.Decode(data, options, channels);
            default:
                // A few bytes that start like a signature are a cut-off image rather than another format.
                if (PngDecoder.Signature.StartsWith(data) || (data.Length == 1 && data[0] == 0xFF))
                {
                    throw new ImageDecodeException(ImageErrorKind.Truncated, "image data ends inside the signature");
                }

                throw new ImageDecodeException(ImageErrorKind.Unsupported, "not a PNG or JPEG image");
        }
    }
}
