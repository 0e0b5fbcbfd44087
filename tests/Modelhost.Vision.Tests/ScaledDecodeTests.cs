using Modelhost.Vision.Processing;

namespace Modelhost.Vision.Tests;

/// <summary>Decoding a JPEG for a model input: at the smallest DCT scale that still covers four times the input.</summary>
public sealed class ScaledDecodeTests
{
    // 1000x872.
    private const string Fixture = "hubble_deep_field.jpg";

    [Theory]
    [InlineData(32, 32, ResizeMode.Letterbox, 250, 218)] // 2/8: 1/8 would be 125x109, under 4 x 32 both ways
    [InlineData(128, 128, ResizeMode.Letterbox, 625, 545)] // 5/8
    [InlineData(128, 256, ResizeMode.Letterbox, 625, 545)] // the width still covers 4 x 128
    [InlineData(128, 128, ResizeMode.Stretch, 625, 545)]
    [InlineData(50, 100, ResizeMode.Stretch, 500, 436)] // the height needs 4/8
    [InlineData(200, 400, ResizeMode.Stretch, 1000, 872)] // 7/8 is 875x763, under 1600 tall: full size
    [InlineData(256, 256, ResizeMode.Letterbox, 1000, 872)] // 4 x 256 is larger than the image: full size
    public void A_jpeg_is_decoded_at_the_smallest_scale_that_covers_the_input(int width, int height, ResizeMode resize, int expectedWidth, int expectedHeight)
    {
        var options = new ImageDecodeOptions { Target = new PreprocessOptions { Width = width, Height = height, Resize = resize } };

        var image = ImageDecoder.Decode(TestImages.Read(Fixture), options);

        Assert.Equal((expectedWidth, expectedHeight), (image.Width, image.Height));
        Assert.Equal((1000, 872), (image.SourceWidth, image.SourceHeight));
    }

    [Fact]
    public void The_scale_is_chosen_on_the_turned_image_and_the_source_size_is_turned_too()
    {
        var jpeg = JpegBytes.InsertAfterSoi(TestImages.Read(Fixture), JpegBytes.ExifSegment(6));
        var options = new ImageDecodeOptions { Target = new PreprocessOptions { Width = 50, Height = 100, Resize = ResizeMode.Stretch } };

        var image = ImageDecoder.Decode(jpeg, options);

        // Turned, the image is 872x1000: 1/2 gives 436x500, which covers 4 x 50x100; 3/8 (327x375) does not.
        Assert.Equal((436, 500), (image.Width, image.Height));
        Assert.Equal((872, 1000), (image.SourceWidth, image.SourceHeight));
    }

    [Fact]
    public void A_png_is_decoded_at_full_size_whatever_the_target()
    {
        var options = new ImageDecodeOptions { Target = new PreprocessOptions { Width = 128, Height = 128 } };

        var image = ImageDecoder.Decode(TestImages.Read("astronaut.png"), options);

        Assert.Equal((512, 512, 512, 512), (image.Width, image.Height, image.SourceWidth, image.SourceHeight));
    }

    [Theory]
    [InlineData("hubble_deep_field.jpg")]
    [InlineData("astronaut_q90_420.jpg")]
    [InlineData("astronaut_progressive.jpg")]
    [InlineData("astronaut_gray.jpg")]
    public void The_fitted_input_is_nearly_what_a_full_decode_gives_and_maps_back_to_full_size_pixels(string name)
    {
        var jpeg = TestImages.Read(name);
        var input = new PreprocessOptions { Width = 128, Height = 128 };

        var (full, fullTransform) = ImagePreprocessor.Fit(ImageDecoder.Decode(jpeg), input);
        var (scaled, scaledTransform) = ImagePreprocessor.Fit(ImageDecoder.Decode(jpeg, new ImageDecodeOptions { Target = input }), input);

        var (_, mean) = TestImages.Difference(scaled, full);
        Assert.True(mean <= 0.5, $"mean absolute difference {mean}");
        Assert.Equal(fullTransform.ImageWidth, scaledTransform.ImageWidth);
        Assert.Equal(fullTransform.ImageHeight, scaledTransform.ImageHeight);
        Assert.Equal(fullTransform.ToImageX(0.75), scaledTransform.ToImageX(0.75), 6);
        Assert.Equal(fullTransform.ToImageY(0.75), scaledTransform.ToImageY(0.75), 6);
    }
}
