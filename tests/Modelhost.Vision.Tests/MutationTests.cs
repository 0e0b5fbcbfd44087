using System.Buffers.Binary;

namespace Modelhost.Vision.Tests;

/// <summary>
/// Seeded random damage to real files: whatever happens, the decoders either return an image or throw
/// <see cref="ImageDecodeException"/> - never IndexOutOfRange, Overflow, InvalidData or anything else.
/// </summary>
[Trait("Category", "Slow")]
public sealed class MutationTests
{
    private const int MutationsPerFile = 60;

    public static TheoryData<string> Files() =>
    [
        "astronaut_q90_420.jpg",
        "astronaut_progressive.jpg",
        "astronaut_restart.jpg",
        "astronaut_gray.jpg",
        "astronaut_palette.png",
        "astronaut_interlaced.png",
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public void Mutated_fixtures_only_ever_throw_ImageDecodeException(string name)
    {
        var original = TestImages.Read(name);
        var random = new Random(StringComparer.Ordinal.GetHashCode(name) & 0x7FFF ^ 20240601);
        for (var i = 0; i < MutationsPerFile; i++)
        {
            var mutated = Mutate(original, random, out var description);
            AssertOnlyDecodeErrors(mutated, $"{name} #{i}: {description}");
        }
    }

    [Fact]
    public void Mutated_png_chunks_with_recomputed_crcs_only_ever_throw_ImageDecodeException()
    {
        // The CRC stops most damage at the chunk; fixing it up lets the damage reach the header checks, zlib,
        // the filters and the pixel conversion.
        var random = new Random(99);
        foreach (var (colorType, bitDepth, interlaced) in new[] { (0, 1, true), (3, 4, false), (2, 16, true), (6, 8, false), (4, 16, true), (0, 8, false) })
        {
            var original = PngDecoderTests.SyntheticPng(37, 23, colorType, bitDepth, interlaced, withTransparency: colorType is 0 or 3).Write();
            for (var i = 0; i < 40; i++)
            {
                var mutated = (byte[])original.Clone();
                var flips = 1 + random.Next(4);
                for (var f = 0; f < flips; f++)
                {
                    mutated[8 + random.Next(mutated.Length - 8)] = (byte)random.Next(256);
                }

                FixCrcs(mutated);
                AssertOnlyDecodeErrors(mutated, $"png {colorType}/{bitDepth}/{interlaced} #{i}");
            }
        }
    }

    [Fact]
    public void Mutated_jpeg_headers_only_ever_throw_ImageDecodeException()
    {
        // Damage concentrated on the segments before the scan data: tables, frame and scan headers.
        var random = new Random(4242);
        foreach (var name in new[] { "astronaut_q90_420.jpg", "astronaut_progressive.jpg", "astronaut_422.jpg" })
        {
            var original = TestImages.Read(name);
            var headerEnd = JpegBytes.ScanDataStart(original);
            for (var i = 0; i < 50; i++)
            {
                var mutated = (byte[])original.Clone();
                var flips = 1 + random.Next(3);
                for (var f = 0; f < flips; f++)
                {
                    mutated[2 + random.Next(headerEnd - 2)] = (byte)random.Next(256);
                }

                AssertOnlyDecodeErrors(mutated, $"{name} header #{i}");
            }
        }
    }

    private static void AssertOnlyDecodeErrors(byte[] data, string what)
    {
        var error = Record.Exception(() =>
        {
            var image = ImageDecoder.Decode(data);
            Assert.Equal(image.Width * image.Height * 3, image.Pixels.Length);
        });
        if (error is not null and not ImageDecodeException)
        {
            Assert.Fail($"{what}: {error}");
        }
    }

    private static byte[] Mutate(byte[] original, Random random, out string description)
    {
        var data = (byte[])original.Clone();
        switch (random.Next(6))
        {
            case 0:
                var count = 1 + random.Next(8);
                for (var i = 0; i < count; i++)
                {
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                }

                description = $"{count} bit flips";
                return data;
            case 1:
                var at = random.Next(Math.Min(data.Length, 2048));
                data[at] = (byte)random.Next(256);
                description = $"byte {at} in the headers replaced";
                return data;
            case 2:
                var cut = random.Next(data.Length);
                description = $"cut at {cut}";
                return data[..cut];
            case 3:
                var marker = random.Next(data.Length - 1);
                data[marker] = 0xFF;
                data[marker + 1] = (byte)random.Next(256);
                description = $"0xFF{data[marker + 1]:X2} written at {marker}";
                return data;
            case 4:
                var start = random.Next(data.Length);
                var length = random.Next(Math.Min(64, data.Length - start));
                description = $"{length} bytes removed at {start}";
                return [.. data.AsSpan(0, start), .. data.AsSpan(start + length)];
            default:
                var from = random.Next(data.Length);
                var junk = new byte[1 + random.Next(16)];
                random.NextBytes(junk);
                description = $"{junk.Length} random bytes inserted at {from}";
                return [.. data.AsSpan(0, from), .. junk, .. data.AsSpan(from)];
        }
    }

    private static void FixCrcs(byte[] png)
    {
        var pos = 8;
        while (pos + 12 <= png.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (length > png.Length - pos - 12)
            {
                return;
            }

            var crc = PngTestWriter.Crc(png.AsSpan(pos + 4, (int)length + 4));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(pos + 8 + (int)length), crc);
            pos += 12 + (int)length;
        }
    }
}
