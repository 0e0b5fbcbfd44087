namespace Modelhost.Vision.Tests;

public sealed class ImageTypesTests
{
    [Fact]
    public void An_rgb_image_checks_its_pixel_count()
    {
        Assert.Throws<ArgumentException>(() => new RgbImage(2, 2, new byte[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RgbImage(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RgbImage(100_000, 100_000));
        Assert.Equal(12, new RgbImage(2, 2).Pixels.Length);
    }

    [Fact]
    public void GetRow_is_a_view_of_one_row()
    {
        var image = new RgbImage(2, 3);
        image.GetRow(1)[5] = 9;

        Assert.Equal(9, image.Pixels[11]);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.GetRow(3));
    }

    [Fact]
    public void A_jpeg_decoded_to_rgba_is_opaque_with_the_same_colours()
    {
        var jpeg = TestImages.Read("astronaut_q90_420.jpg");

        var rgba = RgbaImage.Decode(jpeg);
        var rgb = ImageDecoder.Decode(jpeg);

        Assert.False(rgba.HasTransparency());
        Assert.Equal(rgb.Pixels, rgba.ToRgb().Pixels);
    }

    [Fact]
    public void Options_reject_limits_that_are_not_positive()
    {
        var options = new ImageDecodeOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxWidth = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxHeight = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxPixels = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxInputBytes = 0);
        Assert.Equal(16384, options.MaxWidth);
        Assert.Equal(16384, options.MaxHeight);
        Assert.Equal(40_000_000, options.MaxPixels);
        Assert.Equal(64L * 1024 * 1024, options.MaxInputBytes);
        Assert.True(options.ApplyExifOrientation);
    }

    [Theory]
    [InlineData(new byte[] { 0x89 })]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xFF, 0xD8 })]
    public void The_start_of_a_signature_alone_is_truncated(byte[] data)
    {
        Assert.Equal(ImageErrorKind.Truncated, Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data)).Kind);
    }
}
