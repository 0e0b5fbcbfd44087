using Xunit.Abstractions;

namespace Modelhost.Vision.Tests;

/// <summary>Small JPEGs made and decoded by libjpeg-turbo 2.1.5's cjpeg and djpeg (see Fixtures/libjpeg-turbo/README.md).</summary>
public sealed class LibjpegTurboCrossCheckTests(ITestOutputHelper output)
{
    private static readonly string s_directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "libjpeg-turbo");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(s_directory, "*.jpg").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!name.StartsWith("arith", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Decode_matches_djpeg_for_every_sampling_layout_size_and_mode(string name)
    {
        var image = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(s_directory, name + ".jpg")));
        var reference = TestImages.ReadNetpbmFile(Path.Combine(s_directory, name + ".ppm"));

        var (max, mean) = TestImages.Difference(image, reference);

        output.WriteLine($"{name}: max {max}, mean {mean:F4}");
        Assert.True(max <= 2, $"{name}: max abs difference {max}");
        Assert.True(mean <= 0.5, $"{name}: mean abs difference {mean}");
    }

    [Theory]
    [InlineData("arith")]
    [InlineData("arithprog")]
    public void Arithmetic_coded_files_from_cjpeg_are_unsupported(string name)
    {
        var jpeg = File.ReadAllBytes(Path.Combine(s_directory, name + ".jpg"));

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg));

        Assert.Equal(ImageErrorKind.Unsupported, error.Kind);
        Assert.Equal("JPEG: arithmetic coding is not supported", error.Message);
    }
}
