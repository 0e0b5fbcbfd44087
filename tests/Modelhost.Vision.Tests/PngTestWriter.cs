using System.Buffers.Binary;
using System.IO.Compression;

namespace Modelhost.Vision.Tests;

/// <summary>
/// Writes PNG files of any colour type, bit depth and interlacing from raw sample values, cycling through all
/// five filters row by row, so the decoder can be checked against pixels the test knows independently.
/// </summary>
internal sealed class PngTestWriter
{
    private static readonly int[][] s_adam7 =
    [
        [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
    ];

    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA.</summary>
    public required int ColorType { get; init; }

    public required int BitDepth { get; init; }

    public bool Interlaced { get; init; }

    /// <summary>Samples per pixel in colour-type order, row-major, each in 0 .. 2^BitDepth - 1.</summary>
    public required int[] Samples { get; init; }

    public byte[]? Palette { get; init; }

    public byte[]? Transparency { get; init; }

    /// <summary>Written as every scanline's filter byte instead of cycling through the valid ones.</summary>
    public int? FilterOverride { get; init; }

    /// <summary>Changes the zlib stream before it is split into IDAT chunks (with valid CRCs).</summary>
    public Func<byte[], byte[]>? ZlibTransform { get; init; }

    /// <summary>How many bytes of zlib data go in each IDAT chunk.</summary>
    public int IdatSize { get; init; } = 100;

    public int SamplesPerPixel => ColorType switch { 0 or 3 => 1, 4 => 2, 2 => 3, _ => 4 };

    public byte[] Write()
    {
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var rowIndex = 0;
            if (Interlaced)
            {
                foreach (var p in s_adam7)
                {
                    WritePass(z, p[0], p[1], p[2], p[3], ref rowIndex);
                }
            }
            else
            {
                WritePass(z, 0, 0, 1, 1, ref rowIndex);
            }
        }

        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), Height);
        ihdr[8] = (byte)BitDepth;
        ihdr[9] = (byte)ColorType;
        ihdr[12] = Interlaced ? (byte)1 : (byte)0;
        WriteChunk(file, "IHDR", ihdr);
        if (Palette is not null)
        {
            WriteChunk(file, "PLTE", Palette);
        }

        if (Transparency is not null)
        {
            WriteChunk(file, "tRNS", Transparency);
        }

        var data = compressed.ToArray();
        if (ZlibTransform is not null)
        {
            data = ZlibTransform(data);
        }

        for (var at = 0; at < data.Length; at += IdatSize)
        {
            WriteChunk(file, "IDAT", data.AsSpan(at, Math.Min(IdatSize, data.Length - at)).ToArray());
        }

        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    public static void WriteChunk(Stream output, string type, byte[] body)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, body.Length);
        System.Text.Encoding.ASCII.GetBytes(type, header.AsSpan(4));
        output.Write(header);
        output.Write(body);
        var value = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, Crc([.. header.AsSpan(4), .. body]));
        output.Write(value);
    }

    /// <summary>Splices a chunk with a valid CRC into a PNG file at <paramref name="offset"/>.</summary>
    public static byte[] InsertChunk(byte[] png, int offset, string type, byte[] body)
    {
        using var chunk = new MemoryStream();
        WriteChunk(chunk, type, body);
        return [.. png.AsSpan(0, offset), .. chunk.ToArray(), .. png.AsSpan(offset)];
    }

    /// <summary>A plain bit-at-a-time CRC-32, independent of the decoder's table-driven one.</summary>
    public static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private void WritePass(Stream z, int x0, int y0, int dx, int dy, ref int rowIndex)
    {
        var passWidth = (Width - x0 + dx - 1) / dx;
        var passHeight = (Height - y0 + dy - 1) / dy;
        if (passWidth <= 0 || passHeight <= 0)
        {
            return;
        }

        var bitsPerPixel = SamplesPerPixel * BitDepth;
        var rowBytes = ((passWidth * bitsPerPixel) + 7) / 8;
        var stride = Math.Max(1, bitsPerPixel / 8);
        var previous = new byte[rowBytes];
        for (var r = 0; r < passHeight; r++, rowIndex++)
        {
            var row = new byte[rowBytes];
            var bit = 0;
            for (var i = 0; i < passWidth; i++)
            {
                var pixel = (((y0 + (r * dy)) * Width) + x0 + (i * dx)) * SamplesPerPixel;
                for (var s = 0; s < SamplesPerPixel; s++, bit += BitDepth)
                {
                    var v = Samples[pixel + s];
                    if (BitDepth == 16)
                    {
                        row[bit / 8] = (byte)(v >> 8);
                        row[(bit / 8) + 1] = (byte)v;
                    }
                    else
                    {
                        row[bit / 8] |= (byte)(v << (8 - BitDepth - (bit % 8)));
                    }
                }
            }

            var filter = rowIndex % 5;
            if (FilterOverride is { } forced)
            {
                filter = 0;
                z.WriteByte((byte)forced);
            }
            else
            {
                z.WriteByte((byte)filter);
            }

            z.Write(Filter(filter, row, previous, stride));
            previous = row;
        }
    }

    private static byte[] Filter(int filter, byte[] row, byte[] previous, int stride)
    {
        var output = new byte[row.Length];
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= stride ? row[i - stride] : 0, b = previous[i], c = i >= stride ? previous[i - stride] : 0;
            var predictor = filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                _ => Paeth(a, b, c),
            };
            output[i] = (byte)(row[i] - predictor);
        }

        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
