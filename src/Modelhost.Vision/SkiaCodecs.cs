using Modelhost.Vision.Processing;
using SkiaSharp;

namespace Modelhost.Vision;

/// <summary>
/// Skia's codecs over bytes the caller keeps pinned: opening one reads only the header; decoding goes into RGBA,
/// then to the caller's channels, turned to the EXIF orientation. Skia's results become
/// <see cref="ImageDecodeException"/>s of the matching kind.
/// </summary>
internal static class SkiaCodecs
{
    /// <summary>Parses the header, or returns <see langword="null"/> with Skia's reason.</summary>
    /// <remarks>The bytes are referenced, not copied: they must stay pinned until the codec is disposed.</remarks>
    public static unsafe SKCodec? TryOpen(byte* data, int length, out SKCodecResult result)
    {
        using var bytes = SKData.Create((IntPtr)data, length);
        using var stream = new SKMemoryStream(bytes);

        // The codec owns the stream from here on (or Skia deleted it, on failure): disposing the wrapper is a no-op.
        return SKCodec.Create(stream, out result);
    }

    /// <summary>Parses the header of an image of a known format; its failures are exceptions.</summary>
    public static unsafe SKCodec Open(byte* data, int length, ImageFormat format)
    {
        var codec = TryOpen(data, length, out var result);
        if (codec is null)
        {
            throw result switch
            {
                SKCodecResult.IncompleteInput => new ImageDecodeException(ImageErrorKind.Truncated, $"{Name(format)}: the data ends inside the header"),
                SKCodecResult.Unimplemented => new ImageDecodeException(ImageErrorKind.Unsupported, $"{Name(format)}: a variant that is not supported"),
                _ => new ImageDecodeException(ImageErrorKind.Corrupt, $"{Name(format)}: the header is invalid"),
            };
        }

        if (FormatOf(codec.EncodedFormat) != format)
        {
            codec.Dispose();
            throw new ImageDecodeException(ImageErrorKind.Corrupt, $"{Name(format)}: the header is invalid");
        }

        return codec;
    }

    public static unsafe (DecodedImage Image, int SourceWidth, int SourceHeight) Decode(SKCodec codec, ReadOnlySpan<byte> data, ImageFormat format, ImageDecodeOptions options, int channels)
    {
        var full = codec.Info;
        var origin = options.ApplyExifOrientation ? (int)codec.EncodedOrigin : 1;
        var turned = ExifOrientation.SwapsDimensions(origin);
        var (sourceWidth, sourceHeight) = turned ? (full.Height, full.Width) : (full.Width, full.Height);
        ImageLimits.CheckDimensions(sourceWidth, sourceHeight, options);
        if (format == ImageFormat.Jpeg)
        {
            CheckJpegIsWhole(data, full.Width, full.Height);
        }

        var size = format == ImageFormat.Jpeg && options.Target is { } target ? ScaledSize(codec, target, turned) : full.Size;
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, full.IsOpaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul);

        // A GIF's or WebP's first frame need not cover the canvas: what it leaves is transparent black.
        var rgba = format is ImageFormat.Gif or ImageFormat.Webp ? new byte[info.BytesSize64] : GC.AllocateUninitializedArray<byte>(info.BytesSize);
        SKCodecResult result;
        fixed (byte* pixels = rgba)
        {
            result = codec.GetPixels(info, (IntPtr)pixels, info.RowBytes, SKCodecOptions.Default);
        }

        ThrowIfFailed(result, format);
        var image = new DecodedImage(info.Width, info.Height, rgba);
        if (channels == RgbImage.Channels)
        {
            var rgb = GC.AllocateUninitializedArray<byte>(info.Width * info.Height * RgbImage.Channels);
            PixelConversion.RgbaToRgb(rgba, rgb);
            image = image with { Pixels = rgb };
        }

        return (ExifOrientation.Apply(image, origin, channels), sourceWidth, sourceHeight);
    }

    /// <summary>
    /// The smallest DCT scale, in eighths, whose image still covers four times the target as it will be fitted:
    /// letterboxed, one side at least four times the input's; stretched, both. The scaled IDCT averages like a box
    /// filter, sharper than the antialiased bilinear resize that the detectors' numbers were checked with; leaving
    /// the resize a reduction of 4× or more makes the fitted input what a full decode gives (on the test photos, a
    /// mean difference of 0.08 of 255 at 4×, 0.6 at 2× and 2.3 at 1×, where the grey astronaut showed two extra
    /// faces scoring just over 0.3).
    /// </summary>
    private static SKSizeI ScaledSize(SKCodec codec, PreprocessOptions target, bool turned)
    {
        const int Oversample = 4;
        for (var eighths = 1; eighths < 8; eighths++)
        {
            var size = codec.GetScaledDimensions(eighths / 8f);
            var (width, height) = turned ? (size.Height, size.Width) : (size.Width, size.Height);
            bool wide = width >= Oversample * target.Width, tall = height >= Oversample * target.Height;
            if (target.Resize == ResizeMode.Stretch ? wide && tall : wide || tall)
            {
                return size;
            }
        }

        return codec.Info.Size;
    }

    /// <summary>
    /// Refuses, before any pixel is allocated, a JPEG whose data cannot be all of the image. libjpeg recovers from
    /// data that ends early (a progressive file cut between scans decodes blurred, a header promising more blocks
    /// than the file holds decodes grey) and Skia reports success, so the decoder checks two things itself: every
    /// 8×8 block of the first component costs at least one bit (its DC code, in the first scan that covers it), and
    /// an EOI marker follows the last scan (markers cannot occur inside entropy-coded data).
    /// </summary>
    private static void CheckJpegIsWhole(ReadOnlySpan<byte> data, int width, int height)
    {
        var blocks = (((long)width + 7) / 8) * (((long)height + 7) / 8);
        if (data.Length < blocks / 8)
        {
            throw new ImageDecodeException(
                ImageErrorKind.Truncated, $"JPEG: {data.Length} bytes are too few for the {blocks} blocks of a {width}x{height} image");
        }

        ReadOnlySpan<byte> endOfImage = [0xFF, 0xD9];
        ReadOnlySpan<byte> startOfScan = [0xFF, 0xDA];
        var eoi = data.LastIndexOf(endOfImage);
        if (eoi < 0 || data[eoi..].IndexOf(startOfScan) >= 0)
        {
            throw new ImageDecodeException(ImageErrorKind.Truncated, "JPEG: the data ends before the image does (no EOI marker after the last scan)");
        }
    }

    private static void ThrowIfFailed(SKCodecResult result, ImageFormat format)
    {
        switch (result)
        {
            case SKCodecResult.Success:
                return;
            case SKCodecResult.IncompleteInput:
                throw new ImageDecodeException(ImageErrorKind.Truncated, $"{Name(format)}: the data ends before the image does");
            case SKCodecResult.ErrorInInput:
                throw new ImageDecodeException(ImageErrorKind.Corrupt, $"{Name(format)}: the image data is corrupt");
            case SKCodecResult.Unimplemented or SKCodecResult.InvalidConversion or SKCodecResult.InvalidScale:
                throw new ImageDecodeException(ImageErrorKind.Unsupported, $"{Name(format)}: a variant that is not supported");
            default:
                throw new ImageDecodeException(ImageErrorKind.Corrupt, $"{Name(format)}: the image could not be decoded ({result})");
        }
    }

    private static ImageFormat FormatOf(SKEncodedImageFormat format) => format switch
    {
        SKEncodedImageFormat.Png => ImageFormat.Png,
        SKEncodedImageFormat.Jpeg => ImageFormat.Jpeg,
        SKEncodedImageFormat.Webp => ImageFormat.Webp,
        SKEncodedImageFormat.Gif => ImageFormat.Gif,
        SKEncodedImageFormat.Bmp => ImageFormat.Bmp,
        _ => ImageFormat.Unknown,
    };

    private static string Name(ImageFormat format) => format switch
    {
        ImageFormat.Png => "PNG",
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.Webp => "WebP",
        ImageFormat.Gif => "GIF",
        _ => "BMP",
    };
}
