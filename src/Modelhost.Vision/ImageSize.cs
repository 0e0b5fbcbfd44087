using System.Buffers.Binary;
using Modelhost.Vision.Png;

namespace Modelhost.Vision;

/// <summary>
/// An image's dimensions read from its header alone (PNG's IHDR, JPEG's SOF segment), so that a server can budget
/// the memory of a decode before any pixel is allocated.
/// </summary>
public static class ImageSize
{
    /// <summary>Reads the width and height stored in a PNG or JPEG header without decoding anything.</summary>
    /// <param name="data">The encoded image.</param>
    /// <param name="width">The width in pixels, or 0 when the header cannot be read.</param>
    /// <param name="height">The height in pixels, or 0 when the header cannot be read.</param>
    /// <returns>Whether both dimensions were found and are positive.</returns>
    public static bool TryRead(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        return ImageDecoder.DetectFormat(data) switch
        {
            ImageFormat.Png => TryReadPng(data, out width, out height),
            ImageFormat.Jpeg => TryReadJpeg(data, out width, out height),
            _ => false,
        };
    }

    private static bool TryReadPng(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;

        // The signature, then IHDR's length and type, then its width and height as 31-bit big-endian numbers.
        var at = PngDecoder.Signature.Length + 8;
        if (data.Length < at + 8 || BinaryPrimitives.ReadUInt32BigEndian(data[(at - 4)..]) != 0x49484452)
        {
            return false;
        }

        var w = BinaryPrimitives.ReadUInt32BigEndian(data[at..]);
        var h = BinaryPrimitives.ReadUInt32BigEndian(data[(at + 4)..]);
        if (w is 0 or > int.MaxValue || h is 0 or > int.MaxValue)
        {
            return false;
        }

        (width, height) = ((int)w, (int)h);
        return true;
    }

    private static bool TryReadJpeg(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        var pos = 2;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF)
            {
                return false;
            }

            var marker = data[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }

            if (marker is 0x01 or 0xD8 or (>= 0xD0 and <= 0xD7))
            {
                pos += 2;
                continue;
            }

            if (marker is 0xD9 or 0xDA)
            {
                // The end, or the first scan, before any frame header.
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (pos + 9 > data.Length)
                {
                    return false;
                }

                // A height of 0 is defined later by a DNL segment, which the decoder does not support either.
                height = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 7)..]);
                return width > 0 && height > 0;
            }

            pos += 2 + length;
        }

        return false;
    }
}
