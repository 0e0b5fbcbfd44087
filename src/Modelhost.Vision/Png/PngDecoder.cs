using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Modelhost.Vision.Png;

/// <summary>
/// Decodes PNG (ISO/IEC 15948): every colour type and bit depth, PLTE, tRNS, Adam7 and the five filters. Every
/// chunk's CRC is checked before any pixel work, and the zlib stream is only ever inflated up to the size the
/// header implies, so a small file cannot make the decoder produce more than the limits allow.
/// </summary>
internal static class PngDecoder
{
    private const uint Ihdr = 0x49484452;
    private const uint Plte = 0x504C5445;
    private const uint Idat = 0x49444154;
    private const uint Iend = 0x49454E44;
    private const uint Trns = 0x74524E53;
    private const uint Cgbi = 0x43674249;

    // Adam7: for each pass, the first column and row and the distances between sampled columns and rows.
    private static ReadOnlySpan<byte> Adam7 =>
    [
        0, 0, 8, 8,
        4, 0, 8, 8,
        0, 4, 4, 8,
        2, 0, 4, 4,
        0, 2, 2, 4,
        1, 0, 2, 2,
        0, 1, 1, 2,
    ];

    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static DecodedImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options, int channels)
    {
        var pos = Signature.Length;
        var header = default(PngHeader);
        var haveHeader = false;
        ReadOnlySpan<byte> palette = default;
        ReadOnlySpan<byte> transparency = default;
        var idat = new List<(int Offset, int Length)>();
        var idatEnded = false;
        var compressedLength = 0;
        while (true)
        {
            if (data.Length - pos < 8)
            {
                throw Truncated(pos == data.Length ? "data ends before the IEND chunk" : "data ends inside a chunk header");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var typeBytes = data.Slice(pos + 4, 4);
            var type = BinaryPrimitives.ReadUInt32BigEndian(typeBytes);
            if (!IsChunkType(typeBytes))
            {
                throw Corrupt($"invalid chunk type 0x{type:X8} at offset {pos + 4}");
            }

            if (length > int.MaxValue)
            {
                throw Corrupt($"{Name(type)} chunk claims {length} bytes");
            }

            if (data.Length - pos - 12 < length)
            {
                throw Truncated($"{Name(type)} chunk is truncated");
            }

            var body = data.Slice(pos + 8, (int)length);
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)length)..]);
            if (PngCrc.Compute(data.Slice(pos + 4, (int)length + 4)) != storedCrc)
            {
                throw Corrupt($"CRC mismatch in {Name(type)} chunk");
            }

            var chunkOffset = pos;
            pos += 12 + (int)length;
            if (!haveHeader)
            {
                if (type != Ihdr)
                {
                    throw Corrupt($"the first chunk is {Name(type)}, not IHDR");
                }

                header = PngHeader.Parse(body, options);
                haveHeader = true;
                continue;
            }

            if (type != Idat && idat.Count > 0)
            {
                idatEnded = true;
            }

            switch (type)
            {
                case Ihdr:
                    throw Corrupt("more than one IHDR chunk");
                case Plte:
                    if (idat.Count > 0)
                    {
                        throw Corrupt("PLTE chunk after the image data");
                    }

                    if (!palette.IsEmpty)
                    {
                        throw Corrupt("more than one PLTE chunk");
                    }

                    if (length == 0 || length % 3 != 0 || length > 256 * 3)
                    {
                        throw Corrupt($"PLTE chunk has {length} bytes, not a multiple of 3 up to 768");
                    }

                    palette = body;
                    break;
                case Trns:
                    // Only meaningful before the image data; a late one is ignored, as libpng does.
                    if (idat.Count == 0)
                    {
                        transparency = body;
                    }

                    break;
                case Idat:
                    if (idatEnded)
                    {
                        throw Corrupt("IDAT chunks are not consecutive");
                    }

                    if (length > 0)
                    {
                        idat.Add((chunkOffset + 8, (int)length));
                        compressedLength = checked(compressedLength + (int)length);
                    }
                    else if (idat.Count == 0)
                    {
                        // Keeps an empty first IDAT from being mistaken for a missing one.
                        idat.Add((chunkOffset + 8, 0));
                    }

                    break;
                case Iend:
                    return DecodeImage(data, header, palette, transparency, idat, compressedLength, channels);
                case Cgbi:
                    throw Unsupported("Apple's CgBI variant of PNG is not supported");
                default:
                    if ((typeBytes[0] & 0x20) == 0)
                    {
                        throw Unsupported($"unknown critical chunk {Name(type)}");
                    }

                    break;
            }
        }
    }

    internal static ImageDecodeException Corrupt(string reason) => new(ImageErrorKind.Corrupt, "PNG: " + reason);

    internal static ImageDecodeException Truncated(string reason) => new(ImageErrorKind.Truncated, "PNG: " + reason);

    internal static ImageDecodeException Unsupported(string reason) => new(ImageErrorKind.Unsupported, "PNG: " + reason);

    private static DecodedImage DecodeImage(
        ReadOnlySpan<byte> data,
        PngHeader header,
        ReadOnlySpan<byte> palette,
        ReadOnlySpan<byte> transparency,
        List<(int Offset, int Length)> idat,
        int compressedLength,
        int channels)
    {
        if (idat.Count == 0)
        {
            throw Corrupt("no IDAT chunk");
        }

        if (header.ColorType == PngColorType.Palette && palette.IsEmpty)
        {
            throw Corrupt("palette image without a PLTE chunk");
        }

        var converter = new PngRowConverter(header, palette, transparency, channels);
        var pixels = new byte[header.Width * header.Height * channels];
        var compressed = ArrayPool<byte>.Shared.Rent(Math.Max(compressedLength, 1));
        try
        {
            var at = 0;
            foreach (var (offset, length) in idat)
            {
                data.Slice(offset, length).CopyTo(compressed.AsSpan(at));
                at += length;
            }

            using var source = new MemoryStream(compressed, 0, compressedLength, writable: false);
            using var inflater = new ZLibStream(source, CompressionMode.Decompress);
            DecodeRows(inflater, header, converter, pixels, channels);

            // Reading past the last scanline makes zlib check its Adler-32 trailer; extra data is ignored, as
            // libpng does, and never inflated beyond this one byte.
            Span<byte> probe = stackalloc byte[1];
            _ = inflater.Read(probe);
        }
        catch (InvalidDataException e)
        {
            // The inner exception keeps zlib's detail; its wording ("archive entry") would only confuse callers.
            throw new ImageDecodeException(ImageErrorKind.Corrupt, "PNG: invalid zlib data in the IDAT chunks", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }

        return new DecodedImage(header.Width, header.Height, pixels);
    }

    private static void DecodeRows(Stream inflater, PngHeader header, PngRowConverter converter, byte[] pixels, int channels)
    {
        var maxRowBytes = (int)header.RowBytes(header.Width);
        var current = ArrayPool<byte>.Shared.Rent(maxRowBytes + 1);
        var previous = ArrayPool<byte>.Shared.Rent(maxRowBytes + 1);
        var scattered = header.Interlaced ? ArrayPool<byte>.Shared.Rent(header.Width * channels) : null;
        try
        {
            if (!header.Interlaced)
            {
                DecodePass(inflater, header, converter, pixels, channels, 0, 0, 1, 1, ref current, ref previous, scattered);
                return;
            }

            for (var pass = 0; pass < 7; pass++)
            {
                var p = Adam7.Slice(pass * 4, 4);
                DecodePass(inflater, header, converter, pixels, channels, p[0], p[1], p[2], p[3], ref current, ref previous, scattered);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(previous);
            if (scattered is not null)
            {
                ArrayPool<byte>.Shared.Return(scattered);
            }
        }
    }

    private static void DecodePass(
        Stream inflater,
        PngHeader header,
        PngRowConverter converter,
        byte[] pixels,
        int channels,
        int x0,
        int y0,
        int dx,
        int dy,
        ref byte[] current,
        ref byte[] previous,
        byte[]? scattered)
    {
        var passWidth = (header.Width - x0 + dx - 1) / dx;
        var passHeight = (header.Height - y0 + dy - 1) / dy;
        if (passWidth <= 0 || passHeight <= 0)
        {
            return;
        }

        var rowBytes = (int)header.RowBytes(passWidth);
        var stride = header.FilterStride;
        var imageRowBytes = header.Width * channels;
        previous.AsSpan(0, rowBytes + 1).Clear();
        for (var r = 0; r < passHeight; r++)
        {
            var line = current.AsSpan(0, rowBytes + 1);
            var read = inflater.ReadAtLeast(line, line.Length, throwOnEndOfStream: false);
            if (read < line.Length)
            {
                throw Truncated("the image data ends early (the zlib stream in IDAT is too short)");
            }

            var row = line[1..];
            PngFilter.Reverse(line[0], row, previous.AsSpan(1, rowBytes), stride);
            var y = y0 + (r * dy);
            if (dx == 1)
            {
                converter.Convert(row, pixels.AsSpan(y * imageRowBytes, imageRowBytes), passWidth);
            }
            else
            {
                var converted = scattered.AsSpan(0, passWidth * channels);
                converter.Convert(row, converted, passWidth);
                var target = pixels.AsSpan(y * imageRowBytes, imageRowBytes);
                for (int i = 0, x = x0; i < converted.Length; i += channels, x += dx)
                {
                    converted.Slice(i, channels).CopyTo(target[(x * channels)..]);
                }
            }

            (current, previous) = (previous, current);
        }
    }

    private static bool IsChunkType(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (!char.IsAsciiLetter((char)b))
            {
                return false;
            }
        }

        return true;
    }

    private static string Name(uint type) =>
        string.Create(4, type, static (span, t) =>
        {
            for (var i = 0; i < 4; i++)
            {
                span[i] = (char)((t >> (24 - (8 * i))) & 0xFF);
            }
        });
}
