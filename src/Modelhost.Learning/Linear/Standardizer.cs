using Modelhost.Learning.Data;

namespace Modelhost.Learning.Linear;

/// <summary>
/// Per-feature mean and standard deviation of the training data (population, as scikit-learn's StandardScaler; a
/// constant feature gets a scale of 1). Both are rounded to float, the precision the exported graph holds them in.
/// </summary>
internal sealed class Standardizer
{
    private Standardizer(double[] means, double[] scales)
    {
        Means = means;
        Scales = scales;
    }

    public double[] Means { get; }

    public double[] Scales { get; }

    public int FeatureCount => Means.Length;

    public static Standardizer Fit(TabularDataset data)
    {
        int rows = data.RowCount;
        int features = data.FeatureCount;
        ReadOnlySpan<double> x = data.Features.Span;
        var means = new double[features];
        var scales = new double[features];
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = x.Slice(i * features, features);
            for (int f = 0; f < features; f++)
            {
                means[f] += row[f];
            }
        }

        for (int f = 0; f < features; f++)
        {
            means[f] = (float)(means[f] / rows);
        }

        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = x.Slice(i * features, features);
            for (int f = 0; f < features; f++)
            {
                double d = row[f] - means[f];
                scales[f] += d * d;
            }
        }

        for (int f = 0; f < features; f++)
        {
            double std = Math.Sqrt(scales[f] / rows);
            scales[f] = std > 1e-12 * Math.Max(1, Math.Abs(means[f])) && float.IsNormal((float)std) ? (float)std : 1;
        }

        return new Standardizer(means, scales);
    }

    public void Transform(ReadOnlySpan<double> row, Span<double> standardized)
    {
        for (int f = 0; f < row.Length; f++)
        {
            standardized[f] = (row[f] - Means[f]) / Scales[f];
        }
    }

    /// <summary>The whole feature matrix standardized, row-major.</summary>
    public double[] Transform(TabularDataset data)
    {
        int features = data.FeatureCount;
        var result = new double[data.Features.Length];
        ReadOnlySpan<double> x = data.Features.Span;
        for (int i = 0; i < data.RowCount; i++)
        {
            Transform(x.Slice(i * features, features), result.AsSpan(i * features, features));
        }

        return result;
    }
}
