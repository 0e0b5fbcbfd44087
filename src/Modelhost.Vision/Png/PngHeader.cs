using System.Buffers.Binary;

namespace Modelhost.Vision.Png;

/// <summary>The IHDR chunk, validated.</summary>
internal readonly struct PngHeader
{
    private PngHeader(int width, int height, int bitDepth, PngColorType colorType, bool interlaced)
    {
        Width = width;
        Height = height;
        BitDepth = bitDepth;
        ColorType = colorType;
        Interlaced = interlaced;
        SamplesPerPixel = colorType switch
        {
            PngColorType.Gray or PngColorType.Palette => 1,
            PngColorType.GrayAlpha => 2,
            PngColorType.Rgb => 3,
            _ => 4,
        };
        BitsPerPixel = SamplesPerPixel * bitDepth;
    }

    public int Width { get; }

    public int Height { get; }

    public int BitDepth { get; }

    public PngColorType ColorType { get; }

    public bool Interlaced { get; }

    public int SamplesPerPixel { get; }

    public int BitsPerPixel { get; }

    /// <summary>The distance, in bytes, between a byte and the one it is filtered against (at least 1).</summary>
    public int FilterStride => Math.Max(1, BitsPerPixel / 8);

    /// <summary>The bytes of one scanline of <paramref name="pixels"/> pixels, without the filter byte.</summary>
    public long RowBytes(long pixels) => ((pixels * BitsPerPixel) + 7) / 8;

    public static PngHeader Parse(ReadOnlySpan<byte> data, ImageDecodeOptions options)
    {
        if (data.Length != 13)
        {
            throw PngDecoder.Corrupt($"IHDR chunk has {data.Length} bytes instead of 13");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(data);
        var height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw PngDecoder.Corrupt($"invalid image size {width}x{height}");
        }

        // Before anything else, so that a bomb is turned away on its first chunk.
        ImageLimits.CheckDimensions(width, height, options);

        int bitDepth = data[8], colorType = data[9];
        var validDepth = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => throw PngDecoder.Corrupt($"invalid colour type {colorType}"),
        };
        if (!validDepth)
        {
            throw PngDecoder.Corrupt($"bit depth {bitDepth} is invalid for colour type {colorType}");
        }

        if (data[10] != 0)
        {
            throw PngDecoder.Unsupported($"compression method {data[10]} is not supported");
        }

        if (data[11] != 0)
        {
            throw PngDecoder.Unsupported($"filter method {data[11]} is not supported");
        }

        if (data[12] > 1)
        {
            throw PngDecoder.Unsupported($"interlace method {data[12]} is not supported");
        }

        return new PngHeader((int)width, (int)height, bitDepth, (PngColorType)colorType, data[12] == 1);
    }
}
