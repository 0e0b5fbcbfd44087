using System.Buffers.Binary;

namespace Modelhost.Vision.Jpeg;

/// <summary>
/// Decodes JPEG (ITU-T T.81) with Huffman coding: baseline, extended sequential 8-bit and progressive frames;
/// any integral sampling factors; grayscale, YCbCr, RGB, and Adobe CMYK/YCCK; restart intervals; EXIF orientation.
/// The pipeline follows libjpeg-turbo's defaults (islow IDCT, fancy upsampling, its colour tables) so that
/// results land within a level or two of djpeg's.
/// </summary>
internal sealed class JpegDecoder
{
    private const int MaxBlocksPerMcu = 10;

    private readonly ImageDecodeOptions _options;
    private readonly JpegHuffmanTable?[] _dcTables = new JpegHuffmanTable?[4];
    private readonly JpegHuffmanTable?[] _acTables = new JpegHuffmanTable?[4];
    private readonly ushort[]?[] _quantTables = new ushort[]?[4];
    private JpegComponent[] _components = [];
    private bool _progressive;
    private int _width;
    private int _height;
    private int _maxH;
    private int _maxV;
    private int _mcusPerLine;
    private int _mcusPerColumn;
    private int _restartInterval;
    private bool _sawJfif;
    private bool _sawExif;
    private int _adobeTransform = -1;
    private int _orientation = JpegExif.NoOrientation;

    private JpegDecoder(ImageDecodeOptions options)
    {
        _options = options;
    }

    public static DecodedImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options, int channels) =>
        new JpegDecoder(options).Run(data, channels);

    internal static ImageDecodeException Corrupt(string reason) => new(ImageErrorKind.Corrupt, "JPEG: " + reason);

    internal static ImageDecodeException Truncated(string reason) => new(ImageErrorKind.Truncated, "JPEG: " + reason);

    internal static ImageDecodeException Unsupported(string reason) => new(ImageErrorKind.Unsupported, "JPEG: " + reason);

    private DecodedImage Run(ReadOnlySpan<byte> data, int channels)
    {
        var pos = 2; // past SOI
        var sawEoi = false;
        var sawScan = false;
        while (!sawEoi)
        {
            var marker = NextMarker(data, ref pos);
            switch (marker)
            {
                case < 0:
                    return Finish(sawScan, sawEoi: false, channels);
                case 0xD9:
                    sawEoi = true;
                    break;
                case 0xD8:
                    throw Corrupt("unexpected SOI marker inside the image");
                case >= 0xD0 and <= 0xD7:
                case 0x01:
                    break; // RSTn outside a scan, TEM: no segment, nothing to do
                default:
                    var segment = ReadSegment(data, ref pos, marker);
                    if (marker == 0xDA)
                    {
                        var scan = ReadScanHeader(segment);
                        pos = JpegScanDecoder.Decode(data, pos, scan, _progressive, _restartInterval, _mcusPerLine, _mcusPerColumn);
                        sawScan = true;
                    }
                    else
                    {
                        ProcessSegment(marker, segment, data.Length - pos);
                    }

                    break;
            }
        }

        return Finish(sawScan, sawEoi: true, channels);
    }

    /// <summary>Moves past the next marker and returns its code, or -1 at the end of the data.</summary>
    private static int NextMarker(ReadOnlySpan<byte> data, ref int pos)
    {
        // Bytes between segments are skipped, as libjpeg does (with a warning); so are 0xFF fill bytes and the
        // stuffed 0xFF 0x00 pairs of scan data that was not needed.
        while (true)
        {
            var next = data[pos..].IndexOf((byte)0xFF);
            if (next < 0)
            {
                pos = data.Length;
                return -1;
            }

            pos += next;
            while (pos < data.Length && data[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= data.Length)
            {
                return -1;
            }

            var code = data[pos++];
            if (code != 0)
            {
                return code;
            }
        }
    }

    private static ReadOnlySpan<byte> ReadSegment(ReadOnlySpan<byte> data, ref int pos, int marker)
    {
        if (data.Length - pos < 2)
        {
            throw Truncated($"data ends inside the {MarkerName(marker)} segment");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
        if (length < 2)
        {
            throw Corrupt($"{MarkerName(marker)} segment has an invalid length {length}");
        }

        if (data.Length - pos < length)
        {
            throw Truncated($"data ends inside the {MarkerName(marker)} segment");
        }

        var segment = data.Slice(pos + 2, length - 2);
        pos += length;
        return segment;
    }

    private static string MarkerName(int marker) => marker switch
    {
        >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC => $"SOF{marker - 0xC0}",
        0xC4 => "DHT",
        0xCC => "DAC",
        0xDA => "SOS",
        0xDB => "DQT",
        0xDD => "DRI",
        >= 0xE0 and <= 0xEF => $"APP{marker - 0xE0}",
        0xFE => "COM",
        _ => $"0xFF{marker:X2}",
    };

    private void ProcessSegment(int marker, ReadOnlySpan<byte> segment, int remainingBytes)
    {
        switch (marker)
        {
            case 0xC0:
            case 0xC1:
            case 0xC2:
                ReadFrameHeader(marker, segment, remainingBytes);
                break;
            case 0xC3:
                throw Unsupported("lossless JPEG (SOF3) is not supported");
            case 0xC5:
            case 0xC6:
            case 0xC7:
            case 0xDE:
            case 0xDF:
                throw Unsupported("hierarchical JPEG is not supported");
            case 0xC8:
                throw Unsupported("JPEG extensions (JPG marker) are not supported");
            case >= 0xC9 and <= 0xCF:
                // SOF9-SOF11, SOF13-SOF15 and DAC all mean arithmetic coding.
                throw Unsupported("arithmetic coding is not supported");
            case 0xC4:
                ReadHuffmanTables(segment);
                break;
            case 0xDB:
                ReadQuantTables(segment);
                break;
            case 0xDD:
                if (segment.Length < 2)
                {
                    throw Corrupt("DRI segment is too short");
                }

                _restartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
                break;
            case 0xDC:
                break; // DNL after a known height changes nothing
            case 0xE0:
                _sawJfif |= segment.StartsWith("JFIF\0"u8);
                break;
            case 0xE1:
                if (!_sawExif && JpegExif.IsExif(segment))
                {
                    _sawExif = true;
                    _orientation = JpegExif.ReadOrientation(segment);
                }

                break;
            case 0xEE:
                if (_adobeTransform < 0 && segment.Length >= 12 && segment.StartsWith("Adobe"u8))
                {
                    _adobeTransform = segment[11];
                }

                break;
            case 0xF7:
                throw Unsupported("JPEG-LS is not supported");
            case >= 0xE2 and <= 0xEF:
            case >= 0xF0 and <= 0xFE:
                break; // other application data, extensions, comments
            default:
                throw Corrupt($"unknown marker 0xFF{marker:X2}");
        }
    }

    private void ReadFrameHeader(int marker, ReadOnlySpan<byte> s, int remainingBytes)
    {
        if (_components.Length > 0)
        {
            throw Corrupt("more than one frame header (SOF)");
        }

        if (s.Length < 6)
        {
            throw Corrupt("SOF segment is too short");
        }

        int precision = s[0], height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]), width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]), count = s[5];
        if (precision != 8)
        {
            throw Unsupported($"{precision}-bit samples are not supported");
        }

        if (height == 0)
        {
            throw Unsupported("an image height defined by a DNL marker is not supported");
        }

        if (width == 0)
        {
            throw Corrupt("the image width is 0");
        }

        if (count is not (1 or 3 or 4))
        {
            throw count == 0 ? Corrupt("the frame has no components") : Unsupported($"{count} colour components are not supported");
        }

        if (s.Length < 6 + (3 * count))
        {
            throw Corrupt("SOF segment is too short");
        }

        ImageLimits.CheckDimensions(width, height, _options);
        if (_options.ApplyExifOrientation && ExifOrientation.SwapsDimensions(_orientation))
        {
            ImageLimits.CheckDimensions(height, width, _options);
        }

        var components = new JpegComponent[count];
        for (var i = 0; i < count; i++)
        {
            var entry = s.Slice(6 + (3 * i), 3);
            int h = entry[1] >> 4, v = entry[1] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4)
            {
                throw Corrupt($"invalid sampling factors {h}x{v}");
            }

            if (entry[2] > 3)
            {
                throw Corrupt($"invalid quantization table slot {entry[2]}");
            }

            for (var j = 0; j < i; j++)
            {
                if (components[j].Id == entry[0])
                {
                    throw Corrupt($"component id {entry[0]} appears twice");
                }
            }

            components[i] = new JpegComponent(entry[0], h, v, entry[2]);
            _maxH = Math.Max(_maxH, h);
            _maxV = Math.Max(_maxV, v);
        }

        long minimumBits = 0;
        foreach (var c in components)
        {
            if (_maxH % c.HorizontalSampling != 0 || _maxV % c.VerticalSampling != 0)
            {
                throw Unsupported("fractional sampling ratios are not supported");
            }

            c.Width = DivideRoundingUp(width * c.HorizontalSampling, _maxH);
            c.Height = DivideRoundingUp(height * c.VerticalSampling, _maxV);
            minimumBits += (long)DivideRoundingUp(c.Width, 8) * DivideRoundingUp(c.Height, 8);
        }

        // Every block costs at least one bit of Huffman code (its DC difference), so a header that promises
        // more blocks than the rest of the file has bits is cut off - or lying to get a large buffer allocated.
        if (remainingBytes * 8L < minimumBits)
        {
            throw Truncated($"{remainingBytes} bytes of data cannot hold a {width}x{height} image");
        }

        _width = width;
        _height = height;
        _progressive = marker == 0xC2;
        _mcusPerLine = DivideRoundingUp(width, 8 * _maxH);
        _mcusPerColumn = DivideRoundingUp(height, 8 * _maxV);
        foreach (var c in components)
        {
            c.BlocksPerLine = _mcusPerLine * c.HorizontalSampling;
            c.BlocksPerColumn = _mcusPerColumn * c.VerticalSampling;
            var blocks = c.BlocksPerLine * c.BlocksPerColumn;
            if (_progressive)
            {
                c.Coefficients = new short[blocks * 64];
            }
            else
            {
                c.Plane = new byte[blocks * 64];
            }
        }

        _components = components;
    }

    private JpegScan ReadScanHeader(ReadOnlySpan<byte> s)
    {
        if (_components.Length == 0)
        {
            throw Corrupt("scan (SOS) before the frame header (SOF)");
        }

        var count = s.IsEmpty ? 0 : s[0];
        if (count == 0 || count > _components.Length || s.Length < 4 + (2 * count))
        {
            throw Corrupt("invalid SOS segment");
        }

        int ss = s[1 + (2 * count)], se = s[2 + (2 * count)], ah = s[3 + (2 * count)] >> 4, al = s[3 + (2 * count)] & 15;
        if (_progressive)
        {
            var valid = ss == 0 ? se == 0 : se >= ss && se <= 63 && count == 1;
            if (!valid || al > 13 || (ah != 0 && ah != al + 1))
            {
                throw Corrupt($"invalid progressive scan parameters Ss={ss} Se={se} Ah={ah} Al={al}");
            }
        }
        else
        {
            // Sequential scans always carry the whole spectrum; libjpeg ignores other values too.
            (ss, se, ah, al) = (0, 63, 0, 0);
        }

        var needDc = !_progressive || (ss == 0 && ah == 0);
        var needAc = !_progressive || ss > 0;
        var components = new JpegComponent[count];
        var blocksPerMcu = 0;
        for (var i = 0; i < count; i++)
        {
            int id = s[1 + (2 * i)], tables = s[2 + (2 * i)];
            var c = FindComponent(id);
            if (Array.IndexOf(components, c, 0, i) >= 0)
            {
                throw Corrupt($"component {id} appears twice in a scan");
            }

            int dc = tables >> 4, ac = tables & 15;
            if (dc > 3 || ac > 3)
            {
                throw Corrupt("invalid Huffman table slot in SOS");
            }

            c.DcTable = needDc ? _dcTables[dc] ?? JpegStandardHuffmanTables.Get(isDc: true, dc) ?? throw Corrupt($"scan uses DC Huffman table {dc}, which is not defined") : null;
            c.AcTable = needAc ? _acTables[ac] ?? JpegStandardHuffmanTables.Get(isDc: false, ac) ?? throw Corrupt($"scan uses AC Huffman table {ac}, which is not defined") : null;
            c.Quant ??= _quantTables[c.QuantTableSlot] ?? throw Corrupt($"quantization table {c.QuantTableSlot} is not defined");
            components[i] = c;
            blocksPerMcu += c.HorizontalSampling * c.VerticalSampling;
        }

        if (count > 1 && blocksPerMcu > MaxBlocksPerMcu)
        {
            throw Corrupt($"an interleaved MCU of {blocksPerMcu} blocks is more than the limit of {MaxBlocksPerMcu}");
        }

        return new JpegScan(components, ss, se, ah, al);
    }

    private JpegComponent FindComponent(int id)
    {
        foreach (var c in _components)
        {
            if (c.Id == id)
            {
                return c;
            }
        }

        throw Corrupt($"scan refers to component {id}, which the frame does not have");
    }

    private void ReadHuffmanTables(ReadOnlySpan<byte> s)
    {
        while (!s.IsEmpty)
        {
            if (s.Length < 17)
            {
                throw Corrupt("DHT segment is too short");
            }

            int tableClass = s[0] >> 4, slot = s[0] & 15;
            if (tableClass > 1 || slot > 3)
            {
                throw Corrupt($"invalid Huffman table class {tableClass} or slot {slot}");
            }

            var counts = s.Slice(1, 16);
            var total = 0;
            foreach (var n in counts)
            {
                total += n;
            }

            if (total > 256 || s.Length < 17 + total)
            {
                throw Corrupt("DHT segment is too short for its code counts");
            }

            var table = new JpegHuffmanTable(counts, s.Slice(17, total), isDc: tableClass == 0);
            (tableClass == 0 ? _dcTables : _acTables)[slot] = table;
            s = s[(17 + total)..];
        }
    }

    private void ReadQuantTables(ReadOnlySpan<byte> s)
    {
        var order = JpegZigZag.NaturalOrder;
        while (!s.IsEmpty)
        {
            int precision = s[0] >> 4, slot = s[0] & 15;
            if (precision > 1 || slot > 3)
            {
                throw Corrupt($"invalid quantization table precision {precision} or slot {slot}");
            }

            var size = precision == 0 ? 64 : 128;
            if (s.Length < 1 + size)
            {
                throw Corrupt("DQT segment is too short");
            }

            var table = new ushort[64];
            for (var k = 0; k < 64; k++)
            {
                table[order[k]] = precision == 0 ? s[1 + k] : BinaryPrimitives.ReadUInt16BigEndian(s[(1 + (2 * k))..]);
            }

            _quantTables[slot] = table;
            s = s[(1 + size)..];
        }
    }

    private DecodedImage Finish(bool sawScan, bool sawEoi, int channels)
    {
        if (_components.Length == 0)
        {
            throw sawEoi ? Corrupt("no frame header (SOF) before EOI") : Truncated("data ends before the frame header (SOF)");
        }

        if (!sawScan)
        {
            throw sawEoi ? Corrupt("no scan (SOS) before EOI") : Truncated("data ends before the first scan (SOS)");
        }

        foreach (var c in _components)
        {
            if (!c.Scanned)
            {
                throw sawEoi ? Corrupt($"component {c.Id} has no scan data") : Truncated("data ends before every component was scanned");
            }
        }

        // A progressive image can stop after any scan and still look complete, so only EOI proves it is whole.
        // Sequential data without EOI is accepted once every component has been decoded, as libjpeg does.
        if (!sawEoi && _progressive)
        {
            throw Truncated("data ends before the EOI marker");
        }

        if (_progressive)
        {
            TransformCoefficients();
        }

        var image = ToPixels(channels);
        if (_options.ApplyExifOrientation && _orientation != JpegExif.NoOrientation)
        {
            if (ExifOrientation.SwapsDimensions(_orientation))
            {
                ImageLimits.CheckDimensions(_height, _width, _options);
            }

            image = ExifOrientation.Apply(image, _orientation, channels);
        }

        return image;
    }

    private void TransformCoefficients()
    {
        foreach (var c in _components)
        {
            var coefficients = c.Coefficients!;
            var stride = c.PlaneStride;
            var plane = new byte[coefficients.Length];
            for (var by = 0; by < c.BlocksPerColumn; by++)
            {
                for (var bx = 0; bx < c.BlocksPerLine; bx++)
                {
                    var block = coefficients.AsSpan(((by * c.BlocksPerLine) + bx) * 64, 64);
                    JpegIdct.Transform(block, c.Quant, plane.AsSpan((by * 8 * stride) + (bx * 8)), stride);
                }
            }

            c.Plane = plane;
            c.Coefficients = null; // let the coefficients go before the output buffer is allocated
        }
    }

    private DecodedImage ToPixels(int channels)
    {
        var space = ColorSpace();
        var pixels = new byte[_width * _height * channels];
        var count = _components.Length;
        var scratch = new byte[count][];
        var factors = new (int H, int V)[count];
        for (var i = 0; i < count; i++)
        {
            var c = _components[i];
            factors[i] = (_maxH / c.HorizontalSampling, _maxV / c.VerticalSampling);
            scratch[i] = new byte[(c.Width * factors[i].H) + 8];
        }

        var rowBytes = _width * channels;
        for (var y = 0; y < _height; y++)
        {
            var c0 = JpegUpsampler.Row(_components[0], factors[0].H, factors[0].V, y, scratch[0]);
            var c1 = count > 1 ? JpegUpsampler.Row(_components[1], factors[1].H, factors[1].V, y, scratch[1]) : default;
            var c2 = count > 2 ? JpegUpsampler.Row(_components[2], factors[2].H, factors[2].V, y, scratch[2]) : default;
            var c3 = count > 3 ? JpegUpsampler.Row(_components[3], factors[3].H, factors[3].V, y, scratch[3]) : default;
            JpegColorConverter.Convert(space, c0, c1, c2, c3, pixels.AsSpan(y * rowBytes, rowBytes), _width, channels);
        }

        return new DecodedImage(_width, _height, pixels);
    }

    // libjpeg's rules (jdapimin.c): JFIF means YCbCr; otherwise Adobe's transform flag decides; otherwise the
    // component ids 'R', 'G', 'B' mean RGB.
    private JpegColorSpace ColorSpace()
    {
        if (_components.Length == 1)
        {
            return JpegColorSpace.Gray;
        }

        if (_components.Length == 4)
        {
            return _adobeTransform == 2 ? JpegColorSpace.Ycck : JpegColorSpace.Cmyk;
        }

        if (_sawJfif)
        {
            return JpegColorSpace.YCbCr;
        }

        if (_adobeTransform >= 0)
        {
            return _adobeTransform == 0 ? JpegColorSpace.Rgb : JpegColorSpace.YCbCr;
        }

        return _components[0].Id == 'R' && _components[1].Id == 'G' && _components[2].Id == 'B'
            ? JpegColorSpace.Rgb
            : JpegColorSpace.YCbCr;
    }

    private static int DivideRoundingUp(int value, int divisor) => (value + divisor - 1) / divisor;
}
