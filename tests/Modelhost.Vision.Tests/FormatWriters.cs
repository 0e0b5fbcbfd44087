using System.Buffers.Binary;

namespace Modelhost.Vision.Tests;

/// <summary>Writes the small GIF and BMP files the format tests decode (Skia encodes neither).</summary>
internal static class FormatWriters
{
    /// <summary>
    /// A GIF89a with a 4-colour global palette and one full-canvas frame per array of palette indices. The LZW
    /// stream sends a clear code before every two pixels, so its codes stay 3 bits wide: valid, if not small.
    /// </summary>
    public static byte[] Gif(int width, int height, byte[] palette, params byte[][] frames)
    {
        Assert.Equal(12, palette.Length);
        using var file = new MemoryStream();
        file.Write("GIF89a"u8);
        WriteUInt16(file, width);
        WriteUInt16(file, height);
        file.Write([0x91, 0, 0]); // a global table of 2^(1+1) colours, 2 bits of colour resolution
        file.Write(palette);
        foreach (var indices in frames)
        {
            Assert.Equal(width * height, indices.Length);
            file.Write([0x21, 0xF9, 4, 0x04, 10, 0, 0, 0]); // graphic control: keep the frame, 0.1 s
            file.WriteByte(0x2C);
            WriteUInt16(file, 0);
            WriteUInt16(file, 0);
            WriteUInt16(file, width);
            WriteUInt16(file, height);
            file.WriteByte(0); // no local table, not interlaced
            file.WriteByte(2); // LZW minimum code size
            var data = Lzw(indices);
            for (var at = 0; at < data.Length; at += 255)
            {
                var length = Math.Min(255, data.Length - at);
                file.WriteByte((byte)length);
                file.Write(data, at, length);
            }

            file.WriteByte(0);
        }

        file.WriteByte(0x3B);
        return file.ToArray();
    }

    /// <summary>A 24-bit bottom-up BMP (BITMAPINFOHEADER, rows padded to 4 bytes) of an RGB image.</summary>
    public static byte[] Bmp(RgbImage image)
    {
        var rowBytes = ((image.Width * 3) + 3) & ~3;
        var file = new byte[54 + (rowBytes * image.Height)];
        "BM"u8.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), file.Length);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), image.Width);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), image.Height);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(34), rowBytes * image.Height);
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.GetRow(image.Height - 1 - y);
            var at = 54 + (y * rowBytes);
            for (var x = 0; x < image.Width; x++)
            {
                file[at + (3 * x)] = row[(3 * x) + 2];
                file[at + (3 * x) + 1] = row[(3 * x) + 1];
                file[at + (3 * x) + 2] = row[3 * x];
            }
        }

        return file;
    }

    private static byte[] Lzw(byte[] indices)
    {
        const int Clear = 4, End = 5, Width = 3;
        var codes = new List<int>();
        for (var i = 0; i < indices.Length; i++)
        {
            if (i % 2 == 0)
            {
                codes.Add(Clear);
            }

            codes.Add(indices[i]);
        }

        codes.Add(End);
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var code in codes)
        {
            buffer |= code << bits;
            bits += Width;
            while (bits >= 8)
            {
                bytes.Add((byte)buffer);
                buffer >>= 8;
                bits -= 8;
            }
        }

        if (bits > 0)
        {
            bytes.Add((byte)buffer);
        }

        return [.. bytes];
    }

    private static void WriteUInt16(Stream stream, int value)
    {
        Span<byte> two = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(two, (ushort)value);
        stream.Write(two);
    }
}
