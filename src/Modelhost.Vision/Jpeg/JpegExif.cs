namespace Modelhost.Vision.Jpeg;

/// <summary>
/// Finds the orientation (tag 0x0112) in an APP1 Exif segment: "Exif\0\0", a TIFF header, IFD0 (Exif 2.3,
/// section 4.6). Metadata is advisory, so anything malformed reads as "no orientation" rather than failing the image.
/// </summary>
internal static class JpegExif
{
    public const int NoOrientation = 1;

    private const int OrientationTag = 0x0112;
    private const int ShortType = 3;

    public static bool IsExif(ReadOnlySpan<byte> segment) => segment.StartsWith("Exif\0\0"u8);

    /// <returns>The orientation 1–8, or <see cref="NoOrientation"/> when absent or invalid.</returns>
    public static int ReadOrientation(ReadOnlySpan<byte> segment)
    {
        var tiff = segment[6..];
        if (tiff.Length < 8)
        {
            return NoOrientation;
        }

        bool bigEndian;
        if (tiff[0] == 'M' && tiff[1] == 'M')
        {
            bigEndian = true;
        }
        else if (tiff[0] == 'I' && tiff[1] == 'I')
        {
            bigEndian = false;
        }
        else
        {
            return NoOrientation;
        }

        if (Read16(tiff[2..], bigEndian) != 42)
        {
            return NoOrientation;
        }

        var ifd = Read32(tiff[4..], bigEndian);
        if (ifd < 8 || ifd > tiff.Length - 2)
        {
            return NoOrientation;
        }

        var entries = Read16(tiff[(int)ifd..], bigEndian);
        var first = (int)ifd + 2;
        for (var i = 0; i < entries; i++)
        {
            var entry = first + (i * 12);
            if (entry + 12 > tiff.Length)
            {
                break;
            }

            if (Read16(tiff[entry..], bigEndian) != OrientationTag)
            {
                continue;
            }

            // A SHORT with a count of 1 sits in the first two bytes of the value field.
            if (Read16(tiff[(entry + 2)..], bigEndian) != ShortType || Read32(tiff[(entry + 4)..], bigEndian) != 1)
            {
                return NoOrientation;
            }

            var value = Read16(tiff[(entry + 8)..], bigEndian);
            return value is >= 1 and <= 8 ? value : NoOrientation;
        }

        return NoOrientation;
    }

    private static int Read16(ReadOnlySpan<byte> b, bool bigEndian) =>
        bigEndian ? (b[0] << 8) | b[1] : b[0] | (b[1] << 8);

    private static uint Read32(ReadOnlySpan<byte> b, bool bigEndian) =>
        bigEndian
            ? ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3]
            : b[0] | ((uint)b[1] << 8) | ((uint)b[2] << 16) | ((uint)b[3] << 24);
}
