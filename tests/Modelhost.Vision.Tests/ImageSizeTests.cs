namespace Modelhost.Vision.Tests;

public sealed class ImageSizeTests
{
    public static TheoryData<string> Fixtures() => new()
    {
        "astronaut.png", "astronaut_interlaced.png", "astronaut_palette.png", "astronaut_rgb16.png", "chelsea.png", "coffee.png",
        "astronaut_422.jpg", "astronaut_gray.jpg", "astronaut_progressive.jpg", "astronaut_restart.jpg", "hubble_deep_field.jpg",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_header_gives_the_size_the_decoder_finds(string file)
    {
        var data = TestImages.Read(file);
        Assert.True(ImageSize.TryRead(data, out var width, out var height));
        var image = ImageDecoder.Decode(data, new ImageDecodeOptions { ApplyExifOrientation = false });
        Assert.Equal((image.Width, image.Height), (width, height));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 2, 3, 4 })]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDA, 0, 2 })]
    public void Bytes_without_a_readable_header_give_no_size(byte[] data)
    {
        Assert.False(ImageSize.TryRead(data, out var width, out var height));
        Assert.Equal((0, 0), (width, height));
    }
}
