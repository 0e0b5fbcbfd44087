namespace Modelhost.Vision.Jpeg;

/// <summary>
/// Reads the entropy-coded segment of a scan most significant bit first, removing the stuffed zero byte after
/// each 0xFF (T.81 F.1.2.3). At a marker or at the end of the data it feeds zero bits so that look-ahead works,
/// and <see cref="HasOverrun"/> tells whether any of those were actually consumed.
/// </summary>
internal ref struct JpegBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private ulong _bits;
    private int _bitCount;
    private int _paddingBytes;
    private bool _stopped;

    public JpegBitReader(ReadOnlySpan<byte> data, int position)
    {
        _data = data;
        _position = position;
    }

    /// <summary>The offset of the next byte not yet taken into the bit buffer: the marker after the scan, once done.</summary>
    public readonly int Position => _position;

    /// <summary>Whether bits beyond the segment's real data were consumed.</summary>
    public readonly bool HasOverrun => _paddingBytes * 8 > _bitCount;

    /// <summary>Decodes one Huffman-coded symbol.</summary>
    public int Decode(JpegHuffmanTable table)
    {
        if (_bitCount < 16)
        {
            Fill();
        }

        var entry = table.Lookup[(int)(_bits >> (_bitCount - JpegHuffmanTable.LookupBits)) & ((1 << JpegHuffmanTable.LookupBits) - 1)];
        if (entry == 0)
        {
            var resolved = table.DecodeLong((int)(_bits >> (_bitCount - 16)) & 0xFFFF);
            if (resolved < 0)
            {
                throw JpegDecoder.Corrupt("invalid Huffman code");
            }

            entry = (ushort)resolved;
        }

        _bitCount -= entry >> 8;
        return entry & 0xFF;
    }

    /// <summary>Reads <paramref name="count"/> bits (0 to 16) as an unsigned number.</summary>
    public int ReadBits(int count)
    {
        if (_bitCount < count)
        {
            Fill();
        }

        _bitCount -= count;
        return (int)(_bits >> _bitCount) & ((1 << count) - 1);
    }

    public int ReadBit()
    {
        if (_bitCount < 1)
        {
            Fill();
        }

        _bitCount--;
        return (int)(_bits >> _bitCount) & 1;
    }

    /// <summary>Reads <paramref name="size"/> bits (1 to 15) and extends them to a signed coefficient (T.81 F.2.2.1).</summary>
    public int ReceiveExtend(int size)
    {
        var value = ReadBits(size);
        return value < (1 << (size - 1)) ? value - (1 << size) + 1 : value;
    }

    /// <summary>
    /// Drops the buffered bits and consumes the RST marker that must follow an interval (T.81 F.1.2.3), starting
    /// the next interval afresh.
    /// </summary>
    public void ReadRestartMarker(int expected)
    {
        ThrowIfOverrun();
        _bits = 0;
        _bitCount = 0;
        _paddingBytes = 0;
        _stopped = false;
        var p = _position;
        while (p < _data.Length && _data[p] == 0xFF)
        {
            p++;
        }

        if (p >= _data.Length)
        {
            throw JpegDecoder.Truncated("data ends inside a scan (a restart marker is missing)");
        }

        if (p == _position || _data[p] != 0xD0 + expected)
        {
            throw JpegDecoder.Corrupt($"expected marker RST{expected} at offset {_position}");
        }

        _position = p + 1;
    }

    /// <summary>Throws if the last decoded unit needed bits the segment does not have.</summary>
    public readonly void ThrowIfOverrun()
    {
        if (!HasOverrun)
        {
            return;
        }

        if (_position + 1 < _data.Length)
        {
            throw JpegDecoder.Corrupt($"scan data ends early at marker 0xFF{_data[_position + 1]:X2} (offset {_position})");
        }

        throw JpegDecoder.Truncated("data ends inside a scan");
    }

    private void Fill()
    {
        while (_bitCount <= 56)
        {
            uint next = 0;
            if (!_stopped)
            {
                if (_position >= _data.Length)
                {
                    _stopped = true;
                }
                else if (_data[_position] != 0xFF)
                {
                    next = _data[_position++];
                }
                else if (_position + 1 < _data.Length && _data[_position + 1] == 0)
                {
                    next = 0xFF;
                    _position += 2;
                }
                else
                {
                    // A marker (or a lone 0xFF at the very end): the segment's data ends here.
                    _stopped = true;
                }
            }

            if (_stopped)
            {
                _paddingBytes++;
            }

            _bits = (_bits << 8) | next;
            _bitCount += 8;
        }
    }
}
