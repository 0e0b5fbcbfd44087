using System.Buffers.Binary;

namespace Modelhost.Vision.Tests;

/// <summary>Surgery on JPEG files for the tests: finding segments, inserting and rewriting them.</summary>
internal static class JpegBytes
{
    /// <summary>The offset of the first segment with this marker before the first scan's data, or -1.</summary>
    public static int FindSegment(byte[] jpeg, byte marker)
    {
        var pos = 2;
        while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF)
        {
            if (jpeg[pos + 1] == marker)
            {
                return pos;
            }

            if (jpeg[pos + 1] == 0xDA)
            {
                return -1;
            }

            pos += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(pos + 2));
        }

        return -1;
    }

    /// <summary>The offset of the first entropy-coded byte of the first scan.</summary>
    public static int ScanDataStart(byte[] jpeg)
    {
        var sos = FindSegment(jpeg, 0xDA);
        Assert.True(sos > 0);
        return sos + 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(sos + 2));
    }

    public static byte[] InsertAfterSoi(byte[] jpeg, byte[] segment) => [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];

    /// <summary>An APP1 segment holding an Exif TIFF header with one IFD0 entry: the orientation.</summary>
    public static byte[] ExifSegment(int orientation, bool bigEndian = true)
    {
        var tiff = new byte[8 + 2 + 12 + 4];
        void Write16(int at, int v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), (ushort)v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), (ushort)v);
            }
        }

        void Write32(int at, int v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteInt32BigEndian(tiff.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(tiff.AsSpan(at), v);
            }
        }

        tiff[0] = tiff[1] = bigEndian ? (byte)'M' : (byte)'I';
        Write16(2, 42);
        Write32(4, 8); // IFD0 right after the header
        Write16(8, 1); // one entry
        Write16(10, 0x0112); // Orientation
        Write16(12, 3); // SHORT
        Write32(14, 1); // count
        Write16(18, orientation);
        Write32(22, 0); // no next IFD

        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return segment;
    }
}
