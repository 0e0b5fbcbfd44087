namespace Modelhost.Core.Tensors;

/// <summary>Shape arithmetic shared by the protocol layers and the batcher.</summary>
public static class TensorShape
{
    /// <summary>The most elements one tensor may hold; larger requests are rejected before any allocation.</summary>
    public const long MaxElements = 1L << 28;

    /// <summary>The element count of a shape, or -1 when a dimension is negative or the count exceeds <see cref="MaxElements"/>.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                return -1;
            }

            if (d != 0 && count > MaxElements / d)
            {
                return -1;
            }

            count *= d;
        }

        return count > MaxElements ? -1 : count;
    }

    /// <summary>Formats a shape as <c>[1,4]</c> for messages.</summary>
    public static string Format(ReadOnlySpan<long> shape)
    {
        var sb = new System.Text.StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(shape[i] < 0 ? "-1" : shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.Append(']').ToString();
    }
}
