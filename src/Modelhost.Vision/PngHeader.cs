using System.Buffers.Binary;

namespace Modelhost.Vision;

/// <summary>
/// A PNG's size from its IHDR chunk, which the format puts first at a fixed offset: readable from 24 bytes, even
/// when Skia would not open the file (it reads on to the first IDAT).
/// </summary>
internal static class PngHeader
{
    public static bool TryReadSize(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;

        // The 8-byte signature, IHDR's length and type, then its width and height as 31-bit big-endian numbers.
        if (data.Length < 24 || !data[12..16].SequenceEqual("IHDR"u8))
        {
            return false;
        }

        var w = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
        var h = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
        if (w is 0 or > int.MaxValue || h is 0 or > int.MaxValue)
        {
            return false;
        }

        (width, height) = ((int)w, (int)h);
        return true;
    }
}
