using System.Buffers.Binary;

namespace Modelhost.Vision.Tests;

public sealed class DecodeErrorTests
{
    [Fact]
    public void An_empty_span_is_truncated()
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([]));

        Assert.Equal(ImageErrorKind.Truncated, error.Kind);
        Assert.Equal("image data is empty", error.Message);
    }

    [Theory]
    [InlineData("hello, world")]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")]
    public void Garbage_is_unsupported(string text)
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(text)));

        Assert.Equal(ImageErrorKind.Unsupported, error.Kind);
        Assert.Equal("not a PNG or JPEG image, nor WebP, GIF or BMP", error.Message);
    }

    [Fact]
    public void Random_bytes_are_unsupported()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        bytes[0] = 0x42;

        Assert.Equal(ImageErrorKind.Unsupported, Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes)).Kind);
    }

    [Fact]
    public void DetectFormat_recognises_the_signatures()
    {
        Assert.Equal(ImageFormat.Png, ImageDecoder.DetectFormat(TestImages.Read("astronaut.png")));
        Assert.Equal(ImageFormat.Jpeg, ImageDecoder.DetectFormat(TestImages.Read("astronaut_gray.jpg")));
        Assert.Equal(ImageFormat.Gif, ImageDecoder.DetectFormat("GIF89a"u8));
        Assert.Equal(ImageFormat.Webp, ImageDecoder.DetectFormat("RIFF\0\0\0\0WEBPVP8 "u8));
        Assert.Equal(ImageFormat.Bmp, ImageDecoder.DetectFormat("BM"u8));
        Assert.Equal(ImageFormat.Unknown, ImageDecoder.DetectFormat("RIFF\0\0\0\0WAVE"u8));
        Assert.Equal(ImageFormat.Unknown, ImageDecoder.DetectFormat([]));
        Assert.Equal(ImageFormat.Unknown, ImageDecoder.DetectFormat([0x89, 0x50, 0x4E]));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(20)]
    [InlineData(33)]
    [InlineData(1000)]
    [InlineData(400_000)]
    [InlineData(-50)]
    public void A_cut_off_png_is_truncated(int cut)
    {
        var png = TestImages.Read("astronaut.png");
        var length = cut > 0 ? cut : png.Length + cut;

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png.AsSpan(0, length)));

        Assert.Equal(ImageErrorKind.Truncated, error.Kind);
        Assert.StartsWith(cut == 3 ? "image data" : "PNG: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("astronaut_q90_420.jpg", 1)]
    [InlineData("astronaut_q90_420.jpg", 2)]
    [InlineData("astronaut_q90_420.jpg", 12)]
    [InlineData("astronaut_q90_420.jpg", 150)]
    [InlineData("astronaut_q90_420.jpg", 700)]
    [InlineData("astronaut_q90_420.jpg", 30_000)]
    [InlineData("astronaut_q90_420.jpg", -10)]
    [InlineData("astronaut_q90_420.jpg", -2)]
    [InlineData("astronaut_progressive.jpg", 700)]
    [InlineData("astronaut_progressive.jpg", 3000)]
    [InlineData("astronaut_progressive.jpg", 30_000)]
    [InlineData("astronaut_progressive.jpg", -2)]
    [InlineData("astronaut_restart.jpg", 40_000)]
    [InlineData("hubble_deep_field.jpg", 5000)]
    [InlineData("hubble_deep_field.jpg", 300_000)]
    public void A_cut_off_jpeg_is_truncated(string name, int cut)
    {
        var jpeg = TestImages.Read(name);
        var length = cut > 0 ? cut : jpeg.Length + cut;

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg.AsSpan(0, length)));

        Assert.Equal(ImageErrorKind.Truncated, error.Kind);
    }

    [Theory]
    [InlineData(-12)]
    [InlineData(-1)]
    public void A_png_cut_inside_its_iend_chunk_still_decodes_as_every_pixel_is_there(int cut)
    {
        var png = TestImages.Read("astronaut.png");

        Assert.Equal(ImageDecoder.Decode(png).Pixels, ImageDecoder.Decode(png.AsSpan(0, png.Length + cut)).Pixels);
    }

    [Theory]
    [InlineData("IHDR")]
    [InlineData("IDAT")]
    public void A_flipped_crc_byte_in_a_critical_chunk_is_refused(string chunk)
    {
        var png = TestImages.Read("astronaut.png");
        var crcOffset = ChunkEnd(png, chunk) - 1;
        png[crcOffset] ^= 0x01;

        AssertRefused(png, "PNG: ");
    }

    [Fact]
    public void A_flipped_data_byte_is_caught_by_the_crc()
    {
        var png = TestImages.Read("astronaut.png");
        png[ChunkEnd(png, "IDAT") - 100] ^= 0x40;

        AssertRefused(png, "PNG: ");
    }

    [Fact]
    public void A_bad_adler32_in_the_zlib_stream_is_refused()
    {
        var writer = PngDecoderTests.SyntheticPng(20, 10, 2, 8, interlaced: false, withTransparency: false);
        var bad = new PngTestWriter
        {
            Width = writer.Width,
            Height = writer.Height,
            ColorType = writer.ColorType,
            BitDepth = writer.BitDepth,
            Samples = writer.Samples,
            ZlibTransform = z =>
            {
                z[^1] ^= 0x55;
                return z;
            },
        };

        AssertRefused(bad.Write(), "PNG: ");
    }

    [Fact]
    public void An_invalid_filter_type_is_corrupt()
    {
        var writer = new PngTestWriter { Width = 4, Height = 4, ColorType = 0, BitDepth = 8, Samples = new int[16], FilterOverride = 5 };

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(writer.Write()));

        Assert.Equal(ImageErrorKind.Corrupt, error.Kind);
        Assert.Equal("PNG: the image data is corrupt", error.Message);
    }

    [Fact]
    public void Image_data_shorter_than_the_header_implies_is_truncated()
    {
        var writer = new PngTestWriter
        {
            Width = 16,
            Height = 16,
            ColorType = 2,
            BitDepth = 8,
            Samples = new int[16 * 16 * 3],
            ZlibTransform = _ =>
            {
                // A complete zlib stream of too few scanlines.
                using var s = new MemoryStream();
                using (var z = new System.IO.Compression.ZLibStream(s, System.IO.Compression.CompressionLevel.Fastest))
                {
                    z.Write(new byte[(16 * 3) + 1]);
                }

                return s.ToArray();
            },
        };

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(writer.Write()));

        Assert.Equal(ImageErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public void An_unknown_ancillary_chunk_is_skipped()
    {
        var png = PngTestWriter.InsertChunk(TestImages.Read("astronaut_gray.png"), 33, "abCd", [1, 2, 3]);

        Assert.Equal(512, ImageDecoder.Decode(png).Width);
    }

    [Fact]
    public void A_palette_image_without_plte_is_refused()
    {
        var writer = new PngTestWriter { Width = 2, Height = 2, ColorType = 3, BitDepth = 8, Samples = new int[4] };

        AssertRefused(writer.Write(), "PNG: ");
    }

    [Fact]
    public void A_png_header_claiming_100000_by_100000_fails_fast_without_allocating()
    {
        var png = PngWithSize(100_000, 100_000);
        _ = Record.Exception(() => ImageDecoder.Decode(png)); // warm up (JIT, statics)

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImageErrorKind.TooLarge, error.Kind);
        Assert.Equal("image is 100000x100000 = 10000000000 pixels, more than the limit of 40000000", error.Message);
        Assert.True(allocated < 1_000_000, $"{allocated} bytes allocated");
    }

    [Fact]
    public void A_jpeg_header_claiming_60000_by_60000_fails_fast_without_allocating()
    {
        var jpeg = TestImages.Read("astronaut_q90_420.jpg");
        var sof = JpegBytes.FindSegment(jpeg, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 60000);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 60000);
        _ = Record.Exception(() => ImageDecoder.Decode(jpeg));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImageErrorKind.TooLarge, error.Kind);
        Assert.True(allocated < 1_000_000, $"{allocated} bytes allocated");
    }

    [Fact]
    public void A_jpeg_header_promising_more_blocks_than_the_file_has_bits_is_truncated_before_allocating()
    {
        // 16000 x 2400 is within the limits, but 60 kB cannot encode its 600,000 luma blocks.
        var jpeg = TestImages.Read("astronaut_gray.jpg");
        var sof = JpegBytes.FindSegment(jpeg, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 2400);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 16000);
        _ = Record.Exception(() => ImageDecoder.Decode(jpeg));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImageErrorKind.Truncated, error.Kind);
        Assert.True(allocated < 1_000_000, $"{allocated} bytes allocated");
    }

    [Theory]
    [InlineData(100, 100_000, "image width 512 is more than the limit of 100")]
    [InlineData(100_000, 100, "image height 512 is more than the limit of 100")]
    public void Width_and_height_limits_are_applied(int maxWidth, int maxHeight, string message)
    {
        var options = new ImageDecodeOptions { MaxWidth = maxWidth, MaxHeight = maxHeight };

        foreach (var name in new[] { "astronaut.png", "astronaut_q90_420.jpg" })
        {
            var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(TestImages.Read(name), options));

            Assert.Equal(ImageErrorKind.TooLarge, error.Kind);
            Assert.Equal(message, error.Message);
        }
    }

    [Fact]
    public void The_pixel_limit_is_applied()
    {
        var options = new ImageDecodeOptions { MaxPixels = 512 * 511 };

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(TestImages.Read("astronaut_gray.jpg"), options));

        Assert.Equal("image is 512x512 = 262144 pixels, more than the limit of 261632", error.Message);
    }

    [Fact]
    public void The_input_size_limit_is_applied()
    {
        var options = new ImageDecodeOptions { MaxInputBytes = 1000 };

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(TestImages.Read("astronaut_gray.jpg"), options));

        Assert.Equal(ImageErrorKind.TooLarge, error.Kind);
        Assert.Equal("image data is 58760 bytes, more than the limit of 1000", error.Message);
    }

    [Theory]
    [InlineData(0xC3)] // lossless
    [InlineData(0xC5)] // hierarchical
    [InlineData(0xF7)] // JPEG-LS
    public void Other_jpeg_processes_are_refused(byte marker)
    {
        var jpeg = TestImages.Read("astronaut_q90_420.jpg");
        jpeg[JpegBytes.FindSegment(jpeg, 0xC0) + 1] = marker;

        AssertRefused(jpeg, "JPEG: ");
    }

    [Fact]
    public void A_12_bit_jpeg_is_refused()
    {
        var jpeg = TestImages.Read("astronaut_q90_420.jpg");
        var sof = JpegBytes.FindSegment(jpeg, 0xC0);
        jpeg[sof + 1] = 0xC1;
        jpeg[sof + 4] = 12;

        AssertRefused(jpeg, "JPEG: ");
    }

    [Fact]
    public void An_extended_sequential_8_bit_jpeg_decodes_like_baseline()
    {
        var jpeg = TestImages.Read("astronaut_q90_420.jpg");
        var baseline = ImageDecoder.Decode(jpeg);
        jpeg[JpegBytes.FindSegment(jpeg, 0xC0) + 1] = 0xC1;

        Assert.Equal(baseline.Pixels, ImageDecoder.Decode(jpeg).Pixels);
    }

    [Fact]
    public void A_jpeg_without_huffman_tables_uses_the_standard_ones()
    {
        // Motion-JPEG frames leave out DHT; the astronaut fixtures were written with exactly the annex K tables.
        var jpeg = TestImages.Read("astronaut_q90_420.jpg");
        var expected = ImageDecoder.Decode(jpeg);
        int dht;
        while ((dht = JpegBytes.FindSegment(jpeg, 0xC4)) > 0)
        {
            var length = 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(dht + 2));
            jpeg = [.. jpeg.AsSpan(0, dht), .. jpeg.AsSpan(dht + length)];
        }

        Assert.Equal(expected.Pixels, ImageDecoder.Decode(jpeg).Pixels);
    }

    /// <summary>Refused with a 400 (not 415: the format is known), the message naming the format.</summary>
    private static void AssertRefused(byte[] data, string prefix)
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data));

        Assert.Contains(error.Kind, new[] { ImageErrorKind.Corrupt, ImageErrorKind.Truncated, ImageErrorKind.Unsupported });
        Assert.StartsWith(prefix, error.Message, StringComparison.Ordinal);
    }

    private static byte[] PngWithSize(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        PngTestWriter.WriteChunk(file, "IHDR", ihdr);
        PngTestWriter.WriteChunk(file, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        PngTestWriter.WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>The offset just past the CRC of the first chunk of this type.</summary>
    private static int ChunkEnd(byte[] png, string type)
    {
        var pos = 8;
        while (pos < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var end = pos + 12 + length;
            if (System.Text.Encoding.ASCII.GetString(png, pos + 4, 4) == type)
            {
                return end;
            }

            pos = end;
        }

        throw new InvalidOperationException($"no {type} chunk");
    }
}
