using System.Numerics;

namespace Modelhost.Vision.Png;

/// <summary>The five scanline filters of filter method 0 (PNG specification, section 9), both ways.</summary>
internal static class PngFilter
{
    public const int None = 0;
    public const int Sub = 1;
    public const int Up = 2;
    public const int Average = 3;
    public const int Paeth = 4;

    /// <summary>Reverses <paramref name="filter"/> on <paramref name="row"/> in place.</summary>
    /// <param name="filter">The scanline's filter type byte.</param>
    /// <param name="row">The scanline without its filter byte.</param>
    /// <param name="previous">The reconstructed previous scanline of the same pass, zeros for the first.</param>
    /// <param name="stride">Bytes per complete pixel, at least 1.</param>
    public static void Reverse(int filter, Span<byte> row, ReadOnlySpan<byte> previous, int stride)
    {
        switch (filter)
        {
            case None:
                break;
            case Sub:
                for (var i = stride; i < row.Length; i++)
                {
                    row[i] += row[i - stride];
                }

                break;
            case Up:
                AddUp(row, previous);
                break;
            case Average:
                for (var i = 0; i < stride; i++)
                {
                    row[i] += (byte)(previous[i] >> 1);
                }

                for (var i = stride; i < row.Length; i++)
                {
                    row[i] += (byte)((row[i - stride] + previous[i]) >> 1);
                }

                break;
            case Paeth:
                for (var i = 0; i < stride; i++)
                {
                    row[i] += previous[i];
                }

                for (var i = stride; i < row.Length; i++)
                {
                    row[i] += Predict(row[i - stride], previous[i], previous[i - stride]);
                }

                break;
            default:
                throw PngDecoder.Corrupt($"invalid filter type {filter}");
        }
    }

    /// <summary>Applies <paramref name="filter"/> to <paramref name="row"/>, writing the residuals to <paramref name="output"/>.</summary>
    public static void Apply(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int stride, Span<byte> output)
    {
        switch (filter)
        {
            case None:
                row.CopyTo(output);
                break;
            case Sub:
                row[..stride].CopyTo(output);
                for (var i = stride; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - row[i - stride]);
                }

                break;
            case Up:
                for (var i = 0; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - previous[i]);
                }

                break;
            case Average:
                for (var i = 0; i < stride; i++)
                {
                    output[i] = (byte)(row[i] - (previous[i] >> 1));
                }

                for (var i = stride; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - ((row[i - stride] + previous[i]) >> 1));
                }

                break;
            default:
                for (var i = 0; i < stride; i++)
                {
                    output[i] = (byte)(row[i] - previous[i]);
                }

                for (var i = stride; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - Predict(row[i - stride], previous[i], previous[i - stride]));
                }

                break;
        }
    }

    private static void AddUp(Span<byte> row, ReadOnlySpan<byte> previous)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<byte>.Count <= row.Length; i += Vector<byte>.Count)
            {
                var sum = new Vector<byte>(row[i..]) + new Vector<byte>(previous[i..]);
                sum.CopyTo(row[i..]);
            }
        }

        for (; i < row.Length; i++)
        {
            row[i] += previous[i];
        }
    }

    private static byte Predict(int left, int above, int upperLeft)
    {
        var p = left + above - upperLeft;
        var pa = Math.Abs(p - left);
        var pb = Math.Abs(p - above);
        var pc = Math.Abs(p - upperLeft);
        if (pa <= pb && pa <= pc)
        {
            return (byte)left;
        }

        return pb <= pc ? (byte)above : (byte)upperLeft;
    }
}
