using System.Globalization;
using System.Text;

namespace Modelhost.Testing;

/// <summary>CSV datasets made on the spot, large enough that training on them takes a while.</summary>
public static class GeneratedDatasets
{
    /// <summary>Writes a regression dataset: <paramref name="features"/> random columns <c>x0..</c> and a noisy target <c>y</c>.</summary>
    public static void WriteRegressionCsv(string path, int rows, int features)
    {
        var random = new Random(42);
        using var writer = new StreamWriter(path, append: false, Encoding.UTF8);
        writer.WriteLine(string.Join(",", Enumerable.Range(0, features).Select(f => "x" + f.ToString(CultureInfo.InvariantCulture)).Append("y")));
        var values = new double[features];
        for (var r = 0; r < rows; r++)
        {
            double y = 0;
            for (var f = 0; f < features; f++)
            {
                values[f] = random.NextDouble();
                y += values[f] * (f + 1);
            }

            y += random.NextDouble();
            writer.WriteLine(string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).Append(y.ToString("R", CultureInfo.InvariantCulture))));
        }
    }
}
