using System.Text.Json;

namespace Modelhost.Bench;

/// <summary>The summaries every bench program reports the same way; compiled into each (see its .csproj).</summary>
internal static class BenchFigures
{
    /// <summary>The median, the mean of the middle two for an even count; NaN for none.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = new double[values.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = values[i];
        }

        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Writes <c>"name": [v, ...]</c>, each value rounded to <paramref name="decimals"/> places.</summary>
    public static void WriteArray(Utf8JsonWriter w, string name, IReadOnlyList<double> values, int decimals)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(Math.Round(v, decimals));
        }

        w.WriteEndArray();
    }
}
