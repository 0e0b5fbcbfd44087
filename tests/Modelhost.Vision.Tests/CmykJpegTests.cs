namespace Modelhost.Vision.Tests;

public sealed class CmykJpegTests
{
    [Fact]
    public void An_adobe_cmyk_jpeg_is_converted_to_rgb()
    {
        // Pillow wrote this from the top-left 160x120 of astronaut.png, using C = 255 - R, M = 255 - G,
        // Y = 255 - B, K = 0, stored inverted with an Adobe APP14 marker (transform 0), as Photoshop does.
        var jpeg = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "astronaut_cmyk.jpg"));
        var astronaut = ImageDecoder.Decode(TestImages.Read("astronaut.png"));

        var image = ImageDecoder.Decode(jpeg);

        Assert.Equal(160, image.Width);
        Assert.Equal(120, image.Height);
        var crop = new RgbImage(160, 120);
        for (var y = 0; y < 120; y++)
        {
            astronaut.Pixels.AsSpan(y * 512 * 3, 160 * 3).CopyTo(crop.Pixels.AsSpan(y * 160 * 3));
        }

        // Only JPEG's loss separates the two (Pillow's own decode of this file is off by up to 8, 1.1 on average).
        var (max, mean) = TestImages.Difference(image, crop);
        Assert.True(max <= 12, $"max {max}");
        Assert.True(mean <= 1.5, $"mean {mean}");
    }
}
