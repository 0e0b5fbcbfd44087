using System.Security.Cryptography;

namespace Modelhost.Vision.Tests;

/// <summary>Fixture access and pixel comparisons shared by the tests.</summary>
internal static class TestImages
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "images", name);

    public static byte[] Read(string name) => File.ReadAllBytes(Path(name));

    /// <summary>Reads a binary PPM (P6) or PGM (P5) with maxval 255; gray comes back as R = G = B.</summary>
    public static RgbImage ReadNetpbm(string name) => ReadNetpbmFile(Path(name));

    /// <summary>Like <see cref="ReadNetpbm"/>, for a file anywhere.</summary>
    public static RgbImage ReadNetpbmFile(string path)
    {
        var data = File.ReadAllBytes(path);
        var name = System.IO.Path.GetFileName(path);
        var pos = 0;
        var magic = NextToken(data, ref pos);
        var width = int.Parse(NextToken(data, ref pos), System.Globalization.CultureInfo.InvariantCulture);
        var height = int.Parse(NextToken(data, ref pos), System.Globalization.CultureInfo.InvariantCulture);
        var maxValue = NextToken(data, ref pos);
        Assert.Equal("255", maxValue);
        pos++; // the single whitespace byte after maxval
        var pixels = new byte[width * height * 3];
        switch (magic)
        {
            case "P6":
                data.AsSpan(pos, pixels.Length).CopyTo(pixels);
                break;
            case "P5":
                for (var i = 0; i < width * height; i++)
                {
                    pixels[3 * i] = pixels[(3 * i) + 1] = pixels[(3 * i) + 2] = data[pos + i];
                }

                break;
            default:
                throw new InvalidDataException($"{name} is {magic}, not P5 or P6");
        }

        return new RgbImage(width, height, pixels);
    }

    public static string Sha256(byte[] pixels) => Convert.ToHexStringLower(SHA256.HashData(pixels));

    /// <summary>The largest and the mean absolute difference over all samples.</summary>
    public static (int Max, double Mean) Difference(RgbImage actual, RgbImage expected)
    {
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        var max = 0;
        long sum = 0;
        for (var i = 0; i < actual.Pixels.Length; i++)
        {
            var d = Math.Abs(actual.Pixels[i] - expected.Pixels[i]);
            max = Math.Max(max, d);
            sum += d;
        }

        return (max, (double)sum / actual.Pixels.Length);
    }

    private static string NextToken(byte[] data, ref int pos)
    {
        while (true)
        {
            while (char.IsWhiteSpace((char)data[pos]))
            {
                pos++;
            }

            if (data[pos] != '#')
            {
                break;
            }

            while (data[pos] != '\n')
            {
                pos++;
            }
        }

        var start = pos;
        while (!char.IsWhiteSpace((char)data[pos]))
        {
            pos++;
        }

        return System.Text.Encoding.ASCII.GetString(data, start, pos - start);
    }
}
