using System.Buffers.Binary;
using SkiaSharp;

namespace Modelhost.Vision.Tests;

/// <summary>The formats beside PNG and JPEG: WebP, GIF (the first frame) and BMP.</summary>
public sealed class FormatTests
{
    private static readonly byte[] s_palette = [255, 0, 0, 0, 0, 255, 0, 255, 0, 255, 255, 255];

    [Fact]
    public void A_lossless_webp_decodes_to_exactly_its_pixels()
    {
        var crop = Crop(ImageDecoder.Decode(TestImages.Read("astronaut.png")), 180, 70, 33, 20);
        var webp = EncodeWebp(crop);

        Assert.Equal(ImageFormat.Webp, ImageDecoder.DetectFormat(webp));
        var image = ImageDecoder.Decode(webp);

        Assert.Equal((33, 20), (image.Width, image.Height));
        Assert.Equal(crop.Pixels, image.Pixels);
        Assert.True(ImageSize.TryRead(webp, out var width, out var height));
        Assert.Equal((33, 20), (width, height));
    }

    [Fact]
    public void A_gif_decodes_to_its_first_frame()
    {
        // Frame 1: red left half, blue right half; frame 2: all green.
        byte[] first = [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1];
        byte[] second = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2];
        var gif = FormatWriters.Gif(4, 3, s_palette, first, second);

        var image = ImageDecoder.Decode(gif);

        Assert.Equal((4, 3), (image.Width, image.Height));
        var expected = first.SelectMany(i => s_palette.AsSpan(i * 3, 3).ToArray()).ToArray();
        Assert.Equal(expected, image.Pixels);
        Assert.True(ImageSize.TryRead(gif, out var width, out var height));
        Assert.Equal((4, 3), (width, height));
    }

    [Fact]
    public void A_bmp_with_padded_bottom_up_rows_decodes_to_exactly_its_pixels()
    {
        var crop = Crop(ImageDecoder.Decode(TestImages.Read("astronaut.png")), 180, 70, 33, 20);
        var bmp = FormatWriters.Bmp(crop);

        Assert.Equal(ImageFormat.Bmp, ImageDecoder.DetectFormat(bmp));
        var image = ImageDecoder.Decode(bmp);

        Assert.Equal(crop.Pixels, image.Pixels);
        Assert.True(ImageSize.TryRead(bmp, out var width, out var height));
        Assert.Equal((33, 20), (width, height));
    }

    [Theory]
    [InlineData("gif")]
    [InlineData("bmp")]
    [InlineData("webp")]
    public void A_cut_off_file_is_refused_as_truncated_or_corrupt(string format)
    {
        var crop = Crop(ImageDecoder.Decode(TestImages.Read("astronaut.png")), 180, 70, 33, 20);
        var file = format switch
        {
            "gif" => FormatWriters.Gif(4, 3, s_palette, new byte[12]),
            "bmp" => FormatWriters.Bmp(crop),
            _ => EncodeWebp(crop),
        };

        foreach (var length in new[] { 13, file.Length / 2, file.Length - 3 })
        {
            var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(file.AsSpan(0, length)));
            Assert.True(error.Kind is ImageErrorKind.Truncated or ImageErrorKind.Corrupt, $"{format} cut at {length}: {error.Kind} {error.Message}");
        }
    }

    [Fact]
    public void A_gif_screen_of_60000_by_60000_is_refused_before_allocating()
    {
        var gif = FormatWriters.Gif(4, 3, s_palette, new byte[12]);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), 60000);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), 60000);

        AssertRefusedWithoutAllocating(gif, "image is 60000x60000 = 3600000000 pixels, more than the limit of 40000000");
    }

    [Fact]
    public void A_bmp_header_claiming_10000_by_10000_is_refused_before_allocating()
    {
        var bmp = FormatWriters.Bmp(new RgbImage(2, 2));
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 10_000);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 10_000);

        AssertRefusedWithoutAllocating(bmp, "image is 10000x10000 = 100000000 pixels, more than the limit of 40000000");
    }

    internal static RgbImage Crop(RgbImage image, int x, int y, int width, int height)
    {
        var crop = new RgbImage(width, height);
        for (var row = 0; row < height; row++)
        {
            image.GetRow(y + row).Slice(x * 3, width * 3).CopyTo(crop.GetRow(row));
        }

        return crop;
    }

    private static unsafe byte[] EncodeWebp(RgbImage image)
    {
        var rgba = new byte[image.Width * image.Height * 4];
        for (var i = 0; i < image.Width * image.Height; i++)
        {
            image.Pixels.AsSpan(i * 3, 3).CopyTo(rgba.AsSpan(i * 4));
            rgba[(i * 4) + 3] = 255;
        }

        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        fixed (byte* pixels = rgba)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)pixels, info.RowBytes);
            using var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100));
            Assert.NotNull(data);
            return data.ToArray();
        }
    }

    private static void AssertRefusedWithoutAllocating(byte[] data, string message)
    {
        _ = Record.Exception(() => ImageDecoder.Decode(data)); // warm up (JIT, statics)

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImageErrorKind.TooLarge, error.Kind);
        Assert.Equal(message, error.Message);
        Assert.True(allocated < 1_000_000, $"{allocated} bytes allocated");
    }
}
