using System.Buffers.Binary;
using System.IO.Compression;

namespace Modelhost.Vision.Tests;

public sealed class PngEncoderTests
{
    [Fact]
    public void Encoding_then_decoding_gives_back_the_same_pixels()
    {
        var original = ImageDecoder.Decode(TestImages.Read("astronaut.png"));

        var png = PngEncoder.Encode(original);
        var decoded = ImageDecoder.Decode(png);

        Assert.Equal(original.Width, decoded.Width);
        Assert.Equal(original.Height, decoded.Height);
        Assert.True(original.Pixels.AsSpan().SequenceEqual(decoded.Pixels));
        Assert.True(png.Length < TestImages.Read("astronaut.png").Length * 1.1, $"{png.Length} bytes");
    }

    [Fact]
    public void A_one_pixel_image_round_trips()
    {
        var image = new RgbImage(1, 1, [12, 200, 255]);

        var decoded = ImageDecoder.Decode(PngEncoder.Encode(image));

        Assert.Equal(1, decoded.Width);
        Assert.Equal(1, decoded.Height);
        Assert.Equal(new byte[] { 12, 200, 255 }, decoded.Pixels);
    }

    [Theory]
    [InlineData(5000, 3)]
    [InlineData(1, 300)]
    [InlineData(7, 5)]
    public void Wide_tall_and_odd_images_round_trip(int width, int height)
    {
        var image = new RgbImage(width, height);
        new Random(width * 31 + height).NextBytes(image.Pixels);

        var decoded = ImageDecoder.Decode(PngEncoder.Encode(image, CompressionLevel.Fastest));

        Assert.Equal(width, decoded.Width);
        Assert.Equal(height, decoded.Height);
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void The_critical_chunks_are_ihdr_idat_iend_with_an_8_bit_rgb_header()
    {
        var png = PngEncoder.Encode(new RgbImage(300, 2));

        Assert.Equal(ImageFormat.Png, ImageDecoder.DetectFormat(png));
        var chunks = new List<string>();
        for (var pos = 8; pos < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            chunks.Add(System.Text.Encoding.ASCII.GetString(png, pos + 4, 4));
            Assert.Equal(PngTestWriter.Crc(png.AsSpan(pos + 4, length + 4)), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length)));
            pos += 12 + length;
        }

        // Ancillary chunks (lower-case first letter, such as Skia's sBIT) may come between.
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Where(c => char.IsUpper(c[0])).Distinct());
        Assert.Equal(300, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal(8, png[24]); // bit depth
        Assert.Equal(2, png[25]); // colour type RGB
        Assert.Equal(0, png[28]); // not interlaced
    }

    [Fact]
    public void A_flat_image_compresses_to_almost_nothing()
    {
        var image = new RgbImage(1000, 1000);
        image.Pixels.AsSpan().Fill(128);

        var png = PngEncoder.Encode(image);

        Assert.True(png.Length < 10_000, $"{png.Length} bytes");
        Assert.Equal(image.Pixels, ImageDecoder.Decode(png).Pixels);
    }
}
