namespace Modelhost.Vision.Tests;

public sealed class PngDecoderTests
{
    // SHA-256 of the decoded RGB (or RGBA) bytes, confirmed once against Pillow 9.4 (Debian's python3-pil):
    // Image.open(f).convert("RGB"/"RGBA").tobytes() gave identical bytes for every file below.
    private const string AstronautRgb = "a8c429c18afa7b0fd5673e598d73a21225d94c864a71bbb3885126fdecb41071";
    private const string AstronautGrayRgb = "280a842fb3f0fef0b92a4aff8c99e2a38c76d2674a2f30e56d3868b8e06a149d";
    private const string AstronautPaletteRgb = "4695e5020d7f780348245610bc58469e69590359270fcaf566d70fe8a578bd2f";
    private const string ChelseaRgb = "416b729128bfb2c3d1eb69bf9b1734a796293abc17939267b2dc94f8a5784031";
    private const string CoffeeRgb = "0ce2b51640b9c95f19617f03eabf40c3f0368589cc1ee1190b70966165ac184f";
    private const string AstronautRgbaRgba = "0df3c62c654dd5432e753a8d273e73ad3fb7d5826848b395afaead620b89bdd0";
    private const string AstronautPaletteRgba = "ee9fdc1fe294938bddba15286a95566408aecdb26c06b5d22fa4fa4c2184a719";
    private const string AstronautGrayRgba = "85adb99a704415574952c2e1dea6ad60f580a4edbdeb60b8e2076e22417cc7d7";

    [Theory]
    [InlineData("astronaut.png", 512, 512, AstronautRgb)]
    [InlineData("astronaut_gray.png", 512, 512, AstronautGrayRgb)]
    [InlineData("astronaut_palette.png", 512, 512, AstronautPaletteRgb)]
    [InlineData("chelsea.png", 451, 300, ChelseaRgb)]
    [InlineData("coffee.png", 600, 400, CoffeeRgb)]
    public void Decode_gives_the_pixels_pillow_gives(string name, int width, int height, string sha256)
    {
        var image = ImageDecoder.Decode(TestImages.Read(name));

        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        Assert.Equal(sha256, TestImages.Sha256(image.Pixels));
    }

    [Theory]
    [InlineData("astronaut_rgba.png")]
    [InlineData("astronaut_rgb16.png")]
    [InlineData("astronaut_interlaced.png")]
    public void Decode_of_an_astronaut_variant_is_exactly_astronaut_png(string name)
    {
        var expected = ImageDecoder.Decode(TestImages.Read("astronaut.png"));

        var image = ImageDecoder.Decode(TestImages.Read(name));

        Assert.Equal(expected.Width, image.Width);
        Assert.Equal(expected.Height, image.Height);
        Assert.True(expected.Pixels.AsSpan().SequenceEqual(image.Pixels), $"{name} differs from astronaut.png");
    }

    [Fact]
    public void Grayscale_decodes_to_equal_red_green_and_blue()
    {
        var image = ImageDecoder.Decode(TestImages.Read("astronaut_gray.png"));

        for (var i = 0; i < image.Pixels.Length; i += 3)
        {
            Assert.Equal(image.Pixels[i], image.Pixels[i + 1]);
            Assert.Equal(image.Pixels[i], image.Pixels[i + 2]);
        }
    }

    [Theory]
    [InlineData("astronaut_rgba.png", AstronautRgbaRgba)]
    [InlineData("astronaut_palette.png", AstronautPaletteRgba)]
    [InlineData("astronaut_gray.png", AstronautGrayRgba)]
    public void DecodeRgba_gives_the_pixels_pillow_gives(string name, string sha256)
    {
        var image = RgbaImage.Decode(TestImages.Read(name));

        Assert.Equal(sha256, TestImages.Sha256(image.Pixels));
        Assert.False(image.HasTransparency());
    }

    public static TheoryData<int, int, bool> Formats()
    {
        var data = new TheoryData<int, int, bool>();
        int[][] formats =
        [
            [0, 1], [0, 2], [0, 4], [0, 8], [0, 16],
            [2, 8], [2, 16],
            [3, 1], [3, 2], [3, 4], [3, 8],
            [4, 8], [4, 16],
            [6, 8], [6, 16],
        ];
        foreach (var f in formats)
        {
            data.Add(f[0], f[1], false);
            data.Add(f[0], f[1], true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_colour_type_and_bit_depth_decodes_to_the_expected_pixels(int colorType, int bitDepth, bool interlaced)
    {
        // Sizes below 8 leave some Adam7 passes empty; odd widths end sub-byte rows mid-byte.
        foreach (var (width, height) in new[] { (1, 1), (3, 2), (13, 7), (35, 21) })
        {
            var writer = SyntheticPng(width, height, colorType, bitDepth, interlaced, withTransparency: false);
            var png = writer.Write();

            var rgb = ImageDecoder.Decode(png);
            var rgba = RgbaImage.Decode(png);

            var expected = ExpectedRgba(writer);
            Assert.Equal(expected, rgba.Pixels);
            Assert.Equal(StripAlpha(expected), rgb.Pixels);
        }
    }

    [Theory]
    [InlineData(0, 2, false)]
    [InlineData(0, 8, true)]
    [InlineData(0, 16, false)]
    [InlineData(2, 8, false)]
    [InlineData(2, 16, true)]
    [InlineData(3, 4, false)]
    [InlineData(3, 8, true)]
    public void Transparency_from_tRNS_reaches_the_alpha_channel_and_is_dropped_for_rgb(int colorType, int bitDepth, bool interlaced)
    {
        var writer = SyntheticPng(29, 11, colorType, bitDepth, interlaced, withTransparency: true);
        var png = writer.Write();

        var rgba = RgbaImage.Decode(png);
        var rgb = ImageDecoder.Decode(png);

        var expected = ExpectedRgba(writer);
        Assert.Equal(expected, rgba.Pixels);
        Assert.True(rgba.HasTransparency());
        Assert.Equal(StripAlpha(expected), rgb.Pixels);
    }

    [Fact]
    public void Sixteen_bit_samples_keep_their_high_byte()
    {
        var writer = new PngTestWriter
        {
            Width = 4,
            Height = 1,
            ColorType = 0,
            BitDepth = 16,
            Samples = [0x0000, 0x00FF, 0x7F80, 0xFFFF],
        };

        var image = ImageDecoder.Decode(writer.Write());

        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0x7F, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF }, image.Pixels);
    }

    [Fact]
    public void Palette_indices_past_the_palette_decode_without_failing()
    {
        var writer = new PngTestWriter
        {
            Width = 2,
            Height = 1,
            ColorType = 3,
            BitDepth = 8,
            Samples = [0, 200],
            Palette = [10, 20, 30],
        };

        var image = ImageDecoder.Decode(writer.Write());

        // libpng pads a short palette; what the stray index shows is its choice, the first pixel is not.
        Assert.Equal(new byte[] { 10, 20, 30 }, image.Pixels[..3]);
    }

    [Fact]
    public void A_png_with_one_idat_per_byte_still_decodes()
    {
        var writer = SyntheticPng(17, 9, 2, 8, interlaced: false, withTransparency: false);
        var split = new PngTestWriter
        {
            Width = writer.Width,
            Height = writer.Height,
            ColorType = writer.ColorType,
            BitDepth = writer.BitDepth,
            Samples = writer.Samples,
            IdatSize = 1,
        };

        var image = ImageDecoder.Decode(split.Write());

        Assert.Equal(StripAlpha(ExpectedRgba(writer)), image.Pixels);
    }

    internal static PngTestWriter SyntheticPng(int width, int height, int colorType, int bitDepth, bool interlaced, bool withTransparency)
    {
        var random = new Random(HashCode.Combine(width, height, colorType, bitDepth, interlaced));
        var samplesPerPixel = colorType switch { 0 or 3 => 1, 4 => 2, 2 => 3, _ => 4 };
        var maxSample = (1 << bitDepth) - 1;
        byte[]? palette = null;
        byte[]? transparency = null;
        var paletteEntries = 0;
        if (colorType == 3)
        {
            paletteEntries = Math.Min(256, (1 << bitDepth) - (bitDepth > 1 ? 1 : 0));
            palette = new byte[paletteEntries * 3];
            random.NextBytes(palette);
            maxSample = paletteEntries - 1;
        }

        var samples = new int[width * height * samplesPerPixel];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = random.Next(maxSample + 1);
        }

        if (withTransparency)
        {
            transparency = colorType switch
            {
                3 => [.. Enumerable.Range(0, paletteEntries / 2).Select(i => (byte)(i * 37))],
                0 => Key(samples[0]),
                _ => [.. Key(samples[0]), .. Key(samples[1]), .. Key(samples[2])],
            };

            // Give the key colour a few more pixels so transparency surely shows up.
            for (var p = samplesPerPixel * 5; p < samples.Length; p += samplesPerPixel * 7)
            {
                Array.Copy(samples, 0, samples, p, samplesPerPixel);
            }
        }

        return new PngTestWriter
        {
            Width = width,
            Height = height,
            ColorType = colorType,
            BitDepth = bitDepth,
            Interlaced = interlaced,
            Samples = samples,
            Palette = palette,
            Transparency = transparency,
        };

        static byte[] Key(int value) => [(byte)(value >> 8), (byte)value];
    }

    /// <summary>What the specification says each pixel becomes, worked out independently of the decoder.</summary>
    internal static byte[] ExpectedRgba(PngTestWriter w)
    {
        var spp = w.SamplesPerPixel;
        var result = new byte[w.Width * w.Height * 4];
        for (var p = 0; p < w.Width * w.Height; p++)
        {
            var s = w.Samples.AsSpan(p * spp, spp);
            byte r, g, b, a = 255;
            switch (w.ColorType)
            {
                case 0:
                    r = g = b = Scale(s[0], w.BitDepth);
                    if (w.Transparency is { } t0 && ((t0[0] << 8) | t0[1]) == s[0])
                    {
                        a = 0;
                    }

                    break;
                case 2:
                    (r, g, b) = (Scale(s[0], w.BitDepth), Scale(s[1], w.BitDepth), Scale(s[2], w.BitDepth));
                    if (w.Transparency is { } t2 && ((t2[0] << 8) | t2[1]) == s[0] && ((t2[2] << 8) | t2[3]) == s[1] && ((t2[4] << 8) | t2[5]) == s[2])
                    {
                        a = 0;
                    }

                    break;
                case 3:
                    (r, g, b) = (w.Palette![3 * s[0]], w.Palette[(3 * s[0]) + 1], w.Palette[(3 * s[0]) + 2]);
                    if (w.Transparency is { } t3 && s[0] < t3.Length)
                    {
                        a = t3[s[0]];
                    }

                    break;
                case 4:
                    r = g = b = Scale(s[0], w.BitDepth);
                    a = Scale(s[1], w.BitDepth);
                    break;
                default:
                    (r, g, b, a) = (Scale(s[0], w.BitDepth), Scale(s[1], w.BitDepth), Scale(s[2], w.BitDepth), Scale(s[3], w.BitDepth));
                    break;
            }

            result[4 * p] = r;
            result[(4 * p) + 1] = g;
            result[(4 * p) + 2] = b;
            result[(4 * p) + 3] = a;
        }

        return result;
    }

    internal static byte[] StripAlpha(byte[] rgba)
    {
        var rgb = new byte[rgba.Length / 4 * 3];
        for (int i = 0, o = 0; i < rgba.Length; i += 4, o += 3)
        {
            rgb[o] = rgba[i];
            rgb[o + 1] = rgba[i + 1];
            rgb[o + 2] = rgba[i + 2];
        }

        return rgb;
    }

    private static byte Scale(int sample, int bitDepth) => bitDepth switch
    {
        16 => (byte)(sample >> 8),
        8 => (byte)sample,
        _ => (byte)(sample * 255 / ((1 << bitDepth) - 1)),
    };
}
