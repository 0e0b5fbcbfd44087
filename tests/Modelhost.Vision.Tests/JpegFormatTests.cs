using Xunit.Abstractions;

namespace Modelhost.Vision.Tests;

public sealed class JpegFormatTests(ITestOutputHelper output)
{
    public static TheoryData<string> Fixtures() =>
    [
        "astronaut_q90_420",
        "astronaut_q95_444",
        "astronaut_422",
        "astronaut_progressive",
        "astronaut_gray",
        "astronaut_restart",
        "hubble_deep_field",
    ];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Decode_matches_libjpeg_turbo_within_tolerance(string name)
    {
        var image = ImageDecoder.Decode(TestImages.Read(name + ".jpg"));
        var reference = TestImages.ReadNetpbm(Path.Combine("reference", name + ".ppm"));

        var (max, mean) = TestImages.Difference(image, reference);

        output.WriteLine($"{name}: max {max}, mean {mean:F4}");
        Assert.True(max <= 2, $"{name}: max abs difference {max}");
        Assert.True(mean <= 0.5, $"{name}: mean abs difference {mean}");
    }

    [Theory]
    [InlineData("arith")]
    [InlineData("arithprog")]
    public void Arithmetic_coded_jpegs_decode_to_the_picture_they_hold(string name)
    {
        var jpeg = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "arithmetic", name + ".jpg"));
        var crop = FormatTests.Crop(ImageDecoder.Decode(TestImages.Read("astronaut.png")), 150, 100, 17, 13);

        var (max, mean) = TestImages.Difference(ImageDecoder.Decode(jpeg), crop);

        output.WriteLine($"{name}: max {max}, mean {mean:F4}");
        Assert.True(mean <= 4, $"{name}: mean abs difference {mean} from the crop it was made of");
    }
}
