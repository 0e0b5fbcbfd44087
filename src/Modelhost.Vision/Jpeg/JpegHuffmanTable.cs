namespace Modelhost.Vision.Jpeg;

/// <summary>
/// A Huffman table of a DHT segment (T.81 annex C), laid out for decoding: codes of up to
/// <see cref="LookupBits"/> bits resolve with one table look-up, longer ones by comparing against the largest
/// code of each length (annex F.2.2.3).
/// </summary>
internal sealed class JpegHuffmanTable
{
    public const int LookupBits = 9;

    private readonly ushort[] _lookup = new ushort[1 << LookupBits];
    private readonly int[] _maxCode = new int[17];
    private readonly int[] _valueOffset = new int[17];
    private readonly byte[] _values;

    /// <param name="counts">The number of codes of each length 1 to 16.</param>
    /// <param name="values">The symbols, in order of increasing code length.</param>
    /// <param name="isDc">Whether this is a DC table, whose symbols are bit counts of at most 15.</param>
    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values, bool isDc)
    {
        _values = values.ToArray();
        var code = 0;
        var index = 0;
        for (var length = 1; length <= 16; length++)
        {
            int count = counts[length - 1];
            _valueOffset[length] = index - code;
            if (count == 0)
            {
                _maxCode[length] = -1;
            }
            else
            {
                for (var i = 0; i < count; i++, code++, index++)
                {
                    // The all-ones code of each length is reserved (T.81 annex C); a table reaching it is invalid.
                    if (code >= (1 << length) - 1)
                    {
                        throw JpegDecoder.Corrupt("invalid Huffman table (too many codes)");
                    }

                    if (length <= LookupBits)
                    {
                        // Every LookupBits-bit pattern that starts with this code decodes to it.
                        var shift = LookupBits - length;
                        var entry = (ushort)((length << 8) | values[index]);
                        _lookup.AsSpan(code << shift, 1 << shift).Fill(entry);
                    }
                }

                _maxCode[length] = code - 1;
            }

            code <<= 1;
        }

        if (isDc)
        {
            foreach (var v in values)
            {
                if (v > 15)
                {
                    throw JpegDecoder.Corrupt($"invalid DC Huffman table (symbol {v})");
                }
            }
        }
    }

    /// <summary>Entries of (code length &lt;&lt; 8 | symbol) by the next <see cref="LookupBits"/> bits, 0 for longer codes.</summary>
    public ReadOnlySpan<ushort> Lookup => _lookup;

    /// <summary>Resolves a code longer than <see cref="LookupBits"/> bits; <paramref name="bits16"/> are the next 16 bits.</summary>
    /// <returns>(length &lt;&lt; 8 | symbol), or -1 if no code matches.</returns>
    public int DecodeLong(int bits16)
    {
        for (var length = LookupBits + 1; length <= 16; length++)
        {
            var code = bits16 >> (16 - length);
            if (code <= _maxCode[length])
            {
                var index = _valueOffset[length] + code;
                return (uint)index < (uint)_values.Length ? (length << 8) | _values[index] : -1;
            }
        }

        return -1;
    }
}
