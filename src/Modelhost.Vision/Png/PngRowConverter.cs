namespace Modelhost.Vision.Png;

/// <summary>
/// Turns reconstructed scanlines of any colour type and bit depth into 8-bit RGB or RGBA pixels: palette lookup,
/// sub-byte samples scaled to 0–255, 16-bit samples reduced to their high byte, tRNS applied to alpha.
/// </summary>
internal sealed class PngRowConverter
{
    private const int NoKey = -1;

    private readonly PngHeader _header;
    private readonly int _channels;

    // 256 RGBA entries; indices past the PLTE entries stay opaque black instead of reading out of bounds.
    private readonly byte[] _palette = new byte[256 * 4];
    private readonly int _keyRed = NoKey;
    private readonly int _keyGreen = NoKey;
    private readonly int _keyBlue = NoKey;

    public PngRowConverter(PngHeader header, ReadOnlySpan<byte> palette, ReadOnlySpan<byte> transparency, int channels)
    {
        _header = header;
        _channels = channels;
        for (var i = 0; i < 256; i++)
        {
            _palette[(i * 4) + 3] = 255;
        }

        for (int i = 0, entry = 0; i + 2 < palette.Length; i += 3, entry += 4)
        {
            _palette[entry] = palette[i];
            _palette[entry + 1] = palette[i + 1];
            _palette[entry + 2] = palette[i + 2];
        }

        // A tRNS chunk of the wrong size for the colour type is ignored, as libpng does.
        switch (header.ColorType)
        {
            case PngColorType.Palette:
                var entries = Math.Min(transparency.Length, 256);
                for (var i = 0; i < entries; i++)
                {
                    _palette[(i * 4) + 3] = transparency[i];
                }

                break;
            case PngColorType.Gray when transparency.Length == 2:
                _keyRed = (transparency[0] << 8) | transparency[1];
                break;
            case PngColorType.Rgb when transparency.Length == 6:
                _keyRed = (transparency[0] << 8) | transparency[1];
                _keyGreen = (transparency[2] << 8) | transparency[3];
                _keyBlue = (transparency[4] << 8) | transparency[5];
                break;
            default:
                break;
        }
    }

    /// <summary>Converts the first <paramref name="count"/> pixels of <paramref name="row"/> into <paramref name="output"/>.</summary>
    public void Convert(ReadOnlySpan<byte> row, Span<byte> output, int count)
    {
        switch (_header.ColorType)
        {
            case PngColorType.Gray:
                ConvertGray(row, output, count);
                break;
            case PngColorType.Rgb:
                ConvertRgb(row, output, count);
                break;
            case PngColorType.Palette:
                ConvertPalette(row, output, count);
                break;
            case PngColorType.GrayAlpha:
                ConvertGrayAlpha(row, output, count);
                break;
            default:
                ConvertRgba(row, output, count);
                break;
        }
    }

    private void ConvertGray(ReadOnlySpan<byte> row, Span<byte> output, int count)
    {
        var depth = _header.BitDepth;
        var channels = _channels;
        var key = _keyRed;
        if (depth == 16)
        {
            for (int i = 0, o = 0; i < count; i++, o += channels)
            {
                var high = row[2 * i];
                output[o] = output[o + 1] = output[o + 2] = high;
                if (channels == 4)
                {
                    output[o + 3] = ((high << 8) | row[(2 * i) + 1]) == key ? (byte)0 : (byte)255;
                }
            }

            return;
        }

        if (depth == 8)
        {
            for (int i = 0, o = 0; i < count; i++, o += channels)
            {
                var gray = row[i];
                output[o] = output[o + 1] = output[o + 2] = gray;
                if (channels == 4)
                {
                    output[o + 3] = gray == key ? (byte)0 : (byte)255;
                }
            }

            return;
        }

        // 1, 2 and 4 bits: packed from the most significant bit, scaled so that the maximum becomes 255.
        var mask = (1 << depth) - 1;
        var scale = 255 / mask;
        for (int i = 0, o = 0; i < count; i++, o += channels)
        {
            var bit = i * depth;
            var sample = (row[bit >> 3] >> (8 - depth - (bit & 7))) & mask;
            var gray = (byte)(sample * scale);
            output[o] = output[o + 1] = output[o + 2] = gray;
            if (channels == 4)
            {
                output[o + 3] = sample == key ? (byte)0 : (byte)255;
            }
        }
    }

    private void ConvertRgb(ReadOnlySpan<byte> row, Span<byte> output, int count)
    {
        var channels = _channels;
        if (_header.BitDepth == 8)
        {
            if (channels == 3)
            {
                row[..(count * 3)].CopyTo(output);
                return;
            }

            for (int i = 0, o = 0; i < count * 3; i += 3, o += 4)
            {
                byte r = row[i], g = row[i + 1], b = row[i + 2];
                output[o] = r;
                output[o + 1] = g;
                output[o + 2] = b;
                output[o + 3] = r == _keyRed && g == _keyGreen && b == _keyBlue ? (byte)0 : (byte)255;
            }

            return;
        }

        for (int i = 0, o = 0; i < count * 6; i += 6, o += channels)
        {
            output[o] = row[i];
            output[o + 1] = row[i + 2];
            output[o + 2] = row[i + 4];
            if (channels == 4)
            {
                var transparent = ((row[i] << 8) | row[i + 1]) == _keyRed
                    && ((row[i + 2] << 8) | row[i + 3]) == _keyGreen
                    && ((row[i + 4] << 8) | row[i + 5]) == _keyBlue;
                output[o + 3] = transparent ? (byte)0 : (byte)255;
            }
        }
    }

    private void ConvertPalette(ReadOnlySpan<byte> row, Span<byte> output, int count)
    {
        var depth = _header.BitDepth;
        var channels = _channels;
        ReadOnlySpan<byte> palette = _palette;
        var mask = (1 << depth) - 1;
        for (int i = 0, o = 0; i < count; i++, o += channels)
        {
            int index;
            if (depth == 8)
            {
                index = row[i];
            }
            else
            {
                var bit = i * depth;
                index = (row[bit >> 3] >> (8 - depth - (bit & 7))) & mask;
            }

            var entry = palette.Slice(index * 4, 4);
            output[o] = entry[0];
            output[o + 1] = entry[1];
            output[o + 2] = entry[2];
            if (channels == 4)
            {
                output[o + 3] = entry[3];
            }
        }
    }

    private void ConvertGrayAlpha(ReadOnlySpan<byte> row, Span<byte> output, int count)
    {
        var channels = _channels;
        var step = _header.BitDepth == 8 ? 2 : 4;
        var alphaOffset = step / 2;
        for (int i = 0, o = 0; i < count * step; i += step, o += channels)
        {
            var gray = row[i];
            output[o] = output[o + 1] = output[o + 2] = gray;
            if (channels == 4)
            {
                output[o + 3] = row[i + alphaOffset];
            }
        }
    }

    private void ConvertRgba(ReadOnlySpan<byte> row, Span<byte> output, int count)
    {
        var channels = _channels;
        var sampleBytes = _header.BitDepth / 8;
        var step = 4 * sampleBytes;
        if (sampleBytes == 1 && channels == 4)
        {
            row[..(count * 4)].CopyTo(output);
            return;
        }

        for (int i = 0, o = 0; i < count * step; i += step, o += channels)
        {
            output[o] = row[i];
            output[o + 1] = row[i + sampleBytes];
            output[o + 2] = row[i + (2 * sampleBytes)];
            if (channels == 4)
            {
                output[o + 3] = row[i + (3 * sampleBytes)];
            }
        }
    }
}
