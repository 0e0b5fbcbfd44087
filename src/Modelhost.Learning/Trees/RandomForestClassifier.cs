using System.Buffers;
using System.Collections.ObjectModel;
using Modelhost.Learning.Data;
using Modelhost.Learning.Export;

namespace Modelhost.Learning.Trees;

/// <summary>
/// A random forest classifier (scikit-learn's RandomForestClassifier): CART trees on bootstrap samples with random
/// feature subsets; the class probabilities are the trees' leaf class fractions averaged, the label their argmax.
/// Immutable and thread-safe once trained.
/// </summary>
/// <remarks>
/// Trees are trained on features rounded to float and compare in float, and the averaging is done in float in tree
/// order with the same leaf weights the ONNX export carries, so ONNX Runtime reproduces the labels exactly and the
/// probabilities to float rounding.
/// </remarks>
public sealed class RandomForestClassifier : ITabularClassifier
{
    private readonly DecisionTree[] _trees;

    // Per tree, ClassCount weights per node: the leaf's class fractions divided by the number of trees, in float.
    private readonly float[][] _leafWeights;

    private RandomForestClassifier(
        DecisionTree[] trees, RandomForestOptions options, TabularDataset data, double[] importances)
    {
        _trees = trees;
        Options = options;
        FeatureNames = data.FeatureNames;
        TargetName = data.TargetName;
        ClassLabels = data.ClassLabels;
        FeatureImportances = new ReadOnlyCollection<double>(importances);
        _leafWeights = new float[trees.Length][];
        for (int t = 0; t < trees.Length; t++)
        {
            _leafWeights[t] = LeafWeights(trees[t], trees.Length);
        }
    }

    /// <summary>The options the forest was trained with, with the criterion and max-features defaults filled in.</summary>
    public RandomForestOptions Options { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <inheritdoc/>
    public string TargetName { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>The number of trees.</summary>
    public int TreeCount => _trees.Length;

    /// <summary>The total number of nodes over all trees.</summary>
    public int NodeCount => _trees.Sum(t => t.NodeCount);

    /// <summary>Each feature's mean decrease in impurity, summing to 1 (0 everywhere if no tree split).</summary>
    public IReadOnlyList<double> FeatureImportances { get; }

    internal IReadOnlyList<DecisionTree> Trees => _trees;

    internal float[] GetLeafWeights(int tree) => _leafWeights[tree];

    /// <summary>Trains a forest.</summary>
    /// <param name="data">A classification dataset.</param>
    /// <param name="options">The settings; scikit-learn's defaults when null.</param>
    /// <param name="progress">Receives the fraction of trees trained, from worker threads, as trees finish.</param>
    /// <param name="cancellationToken">Checked before each tree.</param>
    /// <returns>The trained forest.</returns>
    /// <exception cref="ArgumentException">The dataset is not a classification dataset, or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public static RandomForestClassifier Train(
        TabularDataset data,
        RandomForestOptions? options = null,
        IProgress<double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options = TreeSettings.Resolve(options ?? new RandomForestOptions(), data, TargetKind.Classification, out TreeSettings settings);
        DecisionTree[] trees = ForestTrainer.Train(TreeTrainingData.From(data), settings, options, progress, cancellationToken);
        return new RandomForestClassifier(trees, options, data, ForestTrainer.FeatureImportances(trees, data.FeatureCount));
    }

    /// <inheritdoc/>
    public int Predict(ReadOnlySpan<double> features)
    {
        int classes = ClassLabels.Count;
        float[]? rented = classes > 128 ? ArrayPool<float>.Shared.Rent(classes) : null;
        Span<float> sums = rented is null ? stackalloc float[classes] : rented.AsSpan(0, classes);
        try
        {
            return Accumulate(features, sums);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc/>
    public int Predict(ReadOnlySpan<double> features, Span<double> probabilities)
    {
        int classes = ClassLabels.Count;
        if (probabilities.Length != classes)
        {
            throw new ArgumentException($"The destination holds {probabilities.Length} probabilities; the model has {classes} classes.", nameof(probabilities));
        }

        float[]? rented = classes > 128 ? ArrayPool<float>.Shared.Rent(classes) : null;
        Span<float> sums = rented is null ? stackalloc float[classes] : rented.AsSpan(0, classes);
        try
        {
            int label = Accumulate(features, sums);
            for (int k = 0; k < classes; k++)
            {
                probabilities[k] = sums[k];
            }

            return label;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc/>
    public byte[] ExportOnnx() => TreeEnsembleExporter.Export(this);

    private int Accumulate(ReadOnlySpan<double> features, Span<float> sums)
    {
        if (features.Length != FeatureNames.Count)
        {
            throw new ArgumentException($"The row has {features.Length} values; the model reads {FeatureNames.Count} features.", nameof(features));
        }

        sums.Clear();
        int classes = sums.Length;
        for (int t = 0; t < _trees.Length; t++)
        {
            int leaf = _trees[t].FindLeaf(features);
            ReadOnlySpan<float> weights = _leafWeights[t].AsSpan(leaf * classes, classes);
            for (int k = 0; k < classes; k++)
            {
                sums[k] += weights[k];
            }
        }

        // The first class with the highest score wins, as numpy's argmax and ONNX Runtime do.
        int best = 0;
        for (int k = 1; k < classes; k++)
        {
            if (sums[k] > sums[best])
            {
                best = k;
            }
        }

        return best;
    }

    private static float[] LeafWeights(DecisionTree tree, int treeCount)
    {
        var weights = new float[tree.Value.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(tree.Value[i] / treeCount);
        }

        return weights;
    }
}
