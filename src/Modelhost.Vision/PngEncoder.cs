using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Modelhost.Vision.Png;

namespace Modelhost.Vision;

/// <summary>
/// Writes 8-bit RGB PNG files: IHDR, one IDAT, IEND. Each scanline gets the filter whose residuals have the
/// smallest sum of absolute values (the heuristic the PNG specification suggests, section 12.8).
/// </summary>
public static class PngEncoder
{
    /// <summary>Encodes an image as a non-interlaced 8-bit RGB PNG.</summary>
    /// <param name="image">The pixels to write.</param>
    /// <returns>The complete PNG file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public static byte[] Encode(RgbImage image) => Encode(image, CompressionLevel.Optimal);

    /// <summary>Encodes an image as a non-interlaced 8-bit RGB PNG with a chosen zlib effort.</summary>
    /// <param name="image">The pixels to write.</param>
    /// <param name="compressionLevel">
    /// The trade between speed and size; <see cref="CompressionLevel.Fastest"/> suits responses that are
    /// drawn once and sent once.
    /// </param>
    /// <returns>The complete PNG file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public static byte[] Encode(RgbImage image, CompressionLevel compressionLevel)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rowBytes = image.Width * RgbImage.Channels;
        using var compressed = new MemoryStream();
        using (var deflater = new ZLibStream(compressed, compressionLevel, leaveOpen: true))
        {
            WriteScanlines(deflater, image.Pixels, rowBytes, image.Height);
        }

        using var file = new MemoryStream((int)Math.Min(int.MaxValue, compressed.Length + 64));
        file.Write(PngDecoder.Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = (byte)PngColorType.Rgb;
        ihdr[10] = 0; // deflate
        ihdr[11] = 0; // adaptive filtering
        ihdr[12] = 0; // not interlaced
        WriteChunk(file, "IHDR"u8, ihdr);
        WriteChunk(file, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(file, "IEND"u8, []);
        return file.ToArray();
    }

    private static void WriteScanlines(Stream deflater, byte[] pixels, int rowBytes, int height)
    {
        const int Stride = RgbImage.Channels;
        var zeros = new byte[rowBytes];

        // One buffer per candidate filter, each holding the filter byte and the residuals.
        var candidates = ArrayPool<byte>.Shared.Rent(5 * (rowBytes + 1));
        try
        {
            for (var y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> row = pixels.AsSpan(y * rowBytes, rowBytes);
                ReadOnlySpan<byte> previous = y == 0 ? zeros : pixels.AsSpan((y - 1) * rowBytes, rowBytes);
                var best = 0;
                var bestCost = long.MaxValue;
                for (var filter = PngFilter.None; filter <= PngFilter.Paeth; filter++)
                {
                    var line = candidates.AsSpan(filter * (rowBytes + 1), rowBytes + 1);
                    line[0] = (byte)filter;
                    PngFilter.Apply(filter, row, previous, Stride, line[1..]);
                    var cost = Cost(line[1..]);
                    if (cost < bestCost)
                    {
                        best = filter;
                        bestCost = cost;
                    }
                }

                deflater.Write(candidates, best * (rowBytes + 1), rowBytes + 1);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(candidates);
        }
    }

    // Residuals read as signed bytes: small magnitudes either side of zero compress best.
    private static long Cost(ReadOnlySpan<byte> residuals)
    {
        long sum = 0;
        foreach (var r in residuals)
        {
            sum += Math.Abs((int)(sbyte)r);
        }

        return sum;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        output.Write(word);
        output.Write(type);
        output.Write(body);
        var crc = PngCrc.Update(PngCrc.Update(0xFFFFFFFFu, type), body) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }
}
