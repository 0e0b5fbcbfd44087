namespace Modelhost.Vision.Jpeg;

/// <summary>The zig-zag sequence of T.81 figure A.6: position in the stream → index in the row-major 8×8 block.</summary>
internal static class JpegZigZag
{
    private static readonly byte[] s_naturalOrder = Build();

    public static ReadOnlySpan<byte> NaturalOrder => s_naturalOrder;

    private static byte[] Build()
    {
        // Walk the anti-diagonals row + column = d, alternating direction: down-left on odd ones, up-right on even.
        var order = new byte[64];
        var k = 0;
        for (var d = 0; d < 15; d++)
        {
            int first = Math.Max(0, d - 7), last = Math.Min(d, 7);
            for (var i = 0; i <= last - first; i++)
            {
                var row = d % 2 == 1 ? first + i : last - i;
                order[k++] = (byte)((row * 8) + d - row);
            }
        }

        return order;
    }
}
