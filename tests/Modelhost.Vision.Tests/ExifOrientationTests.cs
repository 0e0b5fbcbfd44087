namespace Modelhost.Vision.Tests;

[Trait("Category", "Slow")]
public sealed class ExifOrientationTests
{
    // 1000x872, so that the turns that exchange width and height show it.
    private const string Fixture = "hubble_deep_field.jpg";

    private static readonly Lazy<RgbImage> s_upright = new(() => ImageDecoder.Decode(TestImages.Read(Fixture)));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Decode_applies_the_exif_orientation(int orientation)
    {
        var jpeg = JpegBytes.InsertAfterSoi(TestImages.Read(Fixture), JpegBytes.ExifSegment(orientation));

        var image = ImageDecoder.Decode(jpeg);

        AssertSame(Orient(s_upright.Value, orientation), image);
    }

    [Fact]
    public void Orientation_6_turns_the_image_a_quarter_clockwise()
    {
        var upright = s_upright.Value;
        var jpeg = JpegBytes.InsertAfterSoi(TestImages.Read(Fixture), JpegBytes.ExifSegment(6, bigEndian: false));

        var image = ImageDecoder.Decode(jpeg);

        Assert.Equal(upright.Height, image.Width);
        Assert.Equal(upright.Width, image.Height);

        // The stored bottom-left corner ends up top-left, the stored top-left top-right.
        Assert.Equal(Pixel(upright, 0, upright.Height - 1), Pixel(image, 0, 0));
        Assert.Equal(Pixel(upright, 0, 0), Pixel(image, image.Width - 1, 0));
    }

    [Fact]
    public void Orientation_3_and_8_from_little_endian_exif_are_applied_too()
    {
        foreach (var orientation in new[] { 3, 8 })
        {
            var jpeg = JpegBytes.InsertAfterSoi(TestImages.Read(Fixture), JpegBytes.ExifSegment(orientation, bigEndian: false));

            AssertSame(Orient(s_upright.Value, orientation), ImageDecoder.Decode(jpeg));
        }
    }

    [Fact]
    public void Orientation_is_left_alone_when_the_options_say_so()
    {
        var jpeg = JpegBytes.InsertAfterSoi(TestImages.Read(Fixture), JpegBytes.ExifSegment(6));

        var image = ImageDecoder.Decode(jpeg, new ImageDecodeOptions { ApplyExifOrientation = false });

        AssertSame(s_upright.Value, image);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(0xFFFF)]
    public void An_out_of_range_orientation_is_ignored(int orientation)
    {
        var jpeg = JpegBytes.InsertAfterSoi(TestImages.Read(Fixture), JpegBytes.ExifSegment(orientation));

        AssertSame(s_upright.Value, ImageDecoder.Decode(jpeg));
    }

    [Fact]
    public void A_malformed_exif_segment_is_ignored_rather_than_failing_the_image()
    {
        var segment = JpegBytes.ExifSegment(6);
        segment[^20] = 0xFF; // IFD0 offset now points far outside the segment
        segment[^21] = 0xFF;
        var jpeg = JpegBytes.InsertAfterSoi(TestImages.Read(Fixture), segment);

        AssertSame(s_upright.Value, ImageDecoder.Decode(jpeg));
    }

    [Fact]
    public void The_dimension_limits_apply_to_the_turned_image()
    {
        var jpeg = JpegBytes.InsertAfterSoi(TestImages.Read(Fixture), JpegBytes.ExifSegment(6));
        var options = new ImageDecodeOptions { MaxWidth = 1000, MaxHeight = 900 };

        Assert.Equal(1000, ImageDecoder.Decode(TestImages.Read(Fixture), options).Width);
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg, options));
        Assert.Equal(ImageErrorKind.TooLarge, error.Kind);
    }

    /// <summary>
    /// Where each stored pixel is seen, straight from the TIFF definition of the tag: which visual side row 0 and
    /// column 0 of the stored image are on.
    /// </summary>
    private static RgbImage Orient(RgbImage stored, int orientation)
    {
        int w = stored.Width, h = stored.Height;
        var swap = orientation >= 5;
        var result = new RgbImage(swap ? h : w, swap ? w : h);
        for (var sy = 0; sy < h; sy++)
        {
            for (var sx = 0; sx < w; sx++)
            {
                var (vx, vy) = orientation switch
                {
                    2 => (w - 1 - sx, sy), // row 0 top, column 0 right
                    3 => (w - 1 - sx, h - 1 - sy), // row 0 bottom, column 0 right
                    4 => (sx, h - 1 - sy), // row 0 bottom, column 0 left
                    5 => (sy, sx), // row 0 left, column 0 top
                    6 => (h - 1 - sy, sx), // row 0 right, column 0 top
                    7 => (h - 1 - sy, w - 1 - sx), // row 0 right, column 0 bottom
                    8 => (sy, w - 1 - sx), // row 0 left, column 0 bottom
                    _ => (sx, sy),
                };
                stored.Pixels.AsSpan(((sy * w) + sx) * 3, 3).CopyTo(result.Pixels.AsSpan(((vy * result.Width) + vx) * 3));
            }
        }

        return result;
    }

    private static (byte, byte, byte) Pixel(RgbImage image, int x, int y)
    {
        var i = ((y * image.Width) + x) * 3;
        return (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]);
    }

    private static void AssertSame(RgbImage expected, RgbImage actual)
    {
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        Assert.True(expected.Pixels.AsSpan().SequenceEqual(actual.Pixels), "pixels differ");
    }
}
