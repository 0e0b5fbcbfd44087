using System.Collections.ObjectModel;
using Modelhost.Learning.Data;
using Modelhost.Learning.Export;

namespace Modelhost.Learning.Trees;

/// <summary>
/// A random forest regressor (scikit-learn's RandomForestRegressor): CART trees split on squared error, each leaf
/// predicting the mean target of its training rows, the forest the average over trees. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Leaf values are kept in float and averaged in float in tree order, as ONNX Runtime's TreeEnsembleRegressor does
/// with the exported model.
/// </remarks>
public sealed class RandomForestRegressor : ITabularRegressor
{
    private readonly DecisionTree[] _trees;
    private readonly float[][] _leafValues;

    private RandomForestRegressor(DecisionTree[] trees, RandomForestOptions options, TabularDataset data, double[] importances)
    {
        _trees = trees;
        Options = options;
        FeatureNames = data.FeatureNames;
        TargetName = data.TargetName;
        FeatureImportances = new ReadOnlyCollection<double>(importances);
        _leafValues = trees.Select(t => t.Value.Select(v => (float)v).ToArray()).ToArray();
    }

    /// <summary>The options the forest was trained with, with the criterion and max-features defaults filled in.</summary>
    public RandomForestOptions Options { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <inheritdoc/>
    public string TargetName { get; }

    /// <summary>The number of trees.</summary>
    public int TreeCount => _trees.Length;

    /// <summary>The total number of nodes over all trees.</summary>
    public int NodeCount => _trees.Sum(t => t.NodeCount);

    /// <summary>Each feature's mean decrease in impurity, summing to 1 (0 everywhere if no tree split).</summary>
    public IReadOnlyList<double> FeatureImportances { get; }

    internal IReadOnlyList<DecisionTree> Trees => _trees;

    internal float[] GetLeafValues(int tree) => _leafValues[tree];

    /// <summary>Trains a forest.</summary>
    /// <param name="data">A regression dataset.</param>
    /// <param name="options">The settings; scikit-learn's defaults when null.</param>
    /// <param name="progress">Receives the fraction of trees trained, from worker threads, as trees finish.</param>
    /// <param name="cancellationToken">Checked before each tree.</param>
    /// <returns>The trained forest.</returns>
    /// <exception cref="ArgumentException">The dataset is not a regression dataset, or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public static RandomForestRegressor Train(
        TabularDataset data,
        RandomForestOptions? options = null,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options = TreeSettings.Resolve(options ?? new RandomForestOptions(), data, TargetKind.Regression, out TreeSettings settings);
        DecisionTree[] trees = ForestTrainer.Train(TreeTrainingData.From(data), settings, options, progress, cancellationToken);
        return new RandomForestRegressor(trees, options, data, ForestTrainer.FeatureImportances(trees, data.FeatureCount));
    }

    /// <inheritdoc/>
    public double Predict(ReadOnlySpan<double> features)
    {
        if (features.Length != FeatureNames.Count)
        {
            throw new ArgumentException($"The row has {features.Length} values; the model reads {FeatureNames.Count} features.", nameof(features));
        }

        float sum = 0;
        for (int t = 0; t < _trees.Length; t++)
        {
            sum += _leafValues[t][_trees[t].FindLeaf(features)];
        }

        return sum / _trees.Length;
    }

    /// <inheritdoc/>
    public byte[] ExportOnnx() => TreeEnsembleExporter.Export(this);
}
