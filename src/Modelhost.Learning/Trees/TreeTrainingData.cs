using Modelhost.Learning.Data;

namespace Modelhost.Learning.Trees;

/// <summary>
/// The training set as the tree builders read it: features rounded to float (the precision ONNX's tree operators
/// compare in) and stored column by column, so gathering one feature over a node's rows reads one contiguous column.
/// </summary>
internal sealed class TreeTrainingData
{
    private TreeTrainingData(float[] columns, int rowCount, int featureCount, int[] classIds, int classCount, double[] targets)
    {
        Columns = columns;
        RowCount = rowCount;
        FeatureCount = featureCount;
        ClassIds = classIds;
        ClassCount = classCount;
        Targets = targets;
    }

    /// <summary>Column-major features: feature <c>f</c> of row <c>i</c> is at <c>f * RowCount + i</c>.</summary>
    public float[] Columns { get; }

    public int RowCount { get; }

    public int FeatureCount { get; }

    /// <summary>Class ids (classification), else empty.</summary>
    public int[] ClassIds { get; }

    /// <summary>The number of classes; 0 for regression.</summary>
    public int ClassCount { get; }

    /// <summary>Targets (regression), else empty.</summary>
    public double[] Targets { get; }

    public ReadOnlySpan<float> Column(int feature) => Columns.AsSpan(feature * RowCount, RowCount);

    public static TreeTrainingData From(TabularDataset data)
    {
        int rows = data.RowCount;
        int features = data.FeatureCount;
        var columns = new float[(long)rows * features];
        ReadOnlySpan<double> matrix = data.Features.Span;
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = matrix.Slice(i * features, features);
            for (int f = 0; f < features; f++)
            {
                columns[(f * rows) + i] = (float)row[f];
            }
        }

        return new TreeTrainingData(columns, rows, features, data.ClassIds.ToArray(), data.ClassCount, data.Targets.ToArray());
    }
}
