using System.Buffers;

namespace Modelhost.Learning.Trees;

/// <summary>
/// Grows one CART tree depth-first. At each node it draws candidate features at random, sorts the node's rows by
/// each (into buffers rented once per tree), and scans the sorted order moving one row at a time from the right side
/// to the left while updating class counts or sums, so every candidate threshold costs O(1).
/// </summary>
/// <remarks>
/// Bootstrapping is done with weights, as scikit-learn does: a row drawn k times has weight k, and the node sizes
/// that <c>MinSamplesSplit</c> and <c>MinSamplesLeaf</c> bound count distinct rows.
/// </remarks>
internal sealed class TreeBuilder
{
    // scikit-learn's EPSILON (numpy's double machine epsilon): a node this pure is a leaf.
    private const double MachineEpsilon = 2.220446049250313e-16;

    private readonly TreeTrainingData _data;
    private readonly TreeSettings _settings;
    private readonly DeterministicRandom _random;
    private readonly bool _classification;
    private readonly int _valueWidth;
    private readonly CancellationToken _cancellationToken;

    private readonly List<int> _feature = [];
    private readonly List<float> _threshold = [];
    private readonly List<int> _left = [];
    private readonly List<int> _right = [];
    private readonly List<double> _value = [];
    private readonly List<double> _impurity = [];
    private readonly List<double> _weightedSamples = [];

    private int[] _samples = [];
    private double[] _weights = [];
    private float[] _sortValues = [];
    private int[] _sortRows = [];
    private int[] _features = [];
    private double[] _nodeCounts = [];
    private double[] _leftCounts = [];
    private double[] _rightCounts = [];
    private double _nodeTargetSum;

    public TreeBuilder(TreeTrainingData data, TreeSettings settings, DeterministicRandom random, CancellationToken cancellationToken = default)
    {
        _cancellationToken = cancellationToken;
        _data = data;
        _settings = settings;
        _random = random;
        _classification = data.ClassCount > 0;
        _valueWidth = _classification ? data.ClassCount : 1;
    }

    public DecisionTree Build()
    {
        int rows = _data.RowCount;
        int classes = Math.Max(_data.ClassCount, 1);
        _samples = ArrayPool<int>.Shared.Rent(rows);
        _weights = ArrayPool<double>.Shared.Rent(rows);
        _sortValues = ArrayPool<float>.Shared.Rent(rows);
        _sortRows = ArrayPool<int>.Shared.Rent(rows);
        _features = ArrayPool<int>.Shared.Rent(_data.FeatureCount);
        _nodeCounts = ArrayPool<double>.Shared.Rent(classes);
        _leftCounts = ArrayPool<double>.Shared.Rent(classes);
        _rightCounts = ArrayPool<double>.Shared.Rent(classes);
        try
        {
            int sampleCount = DrawSamples();
            for (int f = 0; f < _data.FeatureCount; f++)
            {
                _features[f] = f;
            }

            Grow(sampleCount);
            return new DecisionTree(
                [.. _feature], [.. _threshold], [.. _left], [.. _right], [.. _value], _valueWidth, [.. _impurity], [.. _weightedSamples]);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(_samples);
            ArrayPool<double>.Shared.Return(_weights);
            ArrayPool<float>.Shared.Return(_sortValues);
            ArrayPool<int>.Shared.Return(_sortRows);
            ArrayPool<int>.Shared.Return(_features);
            ArrayPool<double>.Shared.Return(_nodeCounts);
            ArrayPool<double>.Shared.Return(_leftCounts);
            ArrayPool<double>.Shared.Return(_rightCounts);
        }
    }

    // Sets each row's weight (its bootstrap count, or 1) and lists the rows with a weight, in row order.
    private int DrawSamples()
    {
        int rows = _data.RowCount;
        Span<double> weights = _weights.AsSpan(0, rows);
        if (_settings.Bootstrap)
        {
            weights.Clear();
            for (int i = 0; i < rows; i++)
            {
                weights[_random.NextInt(rows)] += 1;
            }
        }
        else
        {
            weights.Fill(1);
        }

        int count = 0;
        for (int i = 0; i < rows; i++)
        {
            if (weights[i] > 0)
            {
                _samples[count++] = i;
            }
        }

        return count;
    }

    private void Grow(int sampleCount)
    {
        var pending = new Stack<(int Start, int End, int Depth, int Parent, bool IsLeft)>();
        pending.Push((0, sampleCount, 0, -1, false));
        while (pending.TryPop(out var task))
        {
            // One tree on many rows takes long: a cancelled training stops between nodes, not only between trees.
            _cancellationToken.ThrowIfCancellationRequested();
            int node = AddNode(task.Parent, task.IsLeft);
            double impurity = SetNodeValue(task.Start, task.End, out double weight);
            int count = task.End - task.Start;
            bool leaf = task.Depth >= _settings.MaxDepth
                || count < _settings.MinSamplesSplit
                || count < 2 * _settings.MinSamplesLeaf
                || impurity <= MachineEpsilon;
            _impurity.Add(impurity);
            _weightedSamples.Add(weight);
            if (leaf || !FindBestSplit(task.Start, task.End, weight, out int feature, out float threshold))
            {
                continue;
            }

            int middle = Partition(task.Start, task.End, feature, threshold);
            _feature[node] = feature;
            _threshold[node] = threshold;

            // The left child is pushed last so it is numbered first, as in scikit-learn.
            pending.Push((middle, task.End, task.Depth + 1, node, false));
            pending.Push((task.Start, middle, task.Depth + 1, node, true));
        }
    }

    private int AddNode(int parent, bool isLeft)
    {
        int node = _feature.Count;
        _feature.Add(-1);
        _threshold.Add(0f);
        _left.Add(-1);
        _right.Add(-1);
        if (parent >= 0)
        {
            if (isLeft)
            {
                _left[parent] = node;
            }
            else
            {
                _right[parent] = node;
            }
        }

        return node;
    }

    // Records the node's class fractions or mean, leaves the class counts in _nodeCounts, and returns the impurity.
    private double SetNodeValue(int start, int end, out double weight)
    {
        ReadOnlySpan<int> samples = _samples.AsSpan(start, end - start);
        weight = 0;
        if (_classification)
        {
            int classes = _data.ClassCount;
            Span<double> counts = _nodeCounts.AsSpan(0, classes);
            counts.Clear();
            int[] classIds = _data.ClassIds;
            foreach (int s in samples)
            {
                counts[classIds[s]] += _weights[s];
            }

            foreach (double c in counts)
            {
                weight += c;
            }

            double impurity = 0;
            for (int k = 0; k < classes; k++)
            {
                double p = counts[k] / weight;
                _value.Add(p);
                impurity += _settings.Criterion == SplitCriterion.Entropy
                    ? (p > 0 ? -p * Math.Log2(p) : 0)
                    : p * (1 - p);
            }

            return impurity;
        }

        double[] targets = _data.Targets;
        double sum = 0;
        foreach (int s in samples)
        {
            weight += _weights[s];
            sum += _weights[s] * targets[s];
        }

        double mean = sum / weight;
        double squares = 0;
        foreach (int s in samples)
        {
            double d = targets[s] - mean;
            squares += _weights[s] * d * d;
        }

        _value.Add(mean);
        _nodeTargetSum = sum;
        return squares / weight;
    }

    private bool FindBestSplit(int start, int end, double weight, out int bestFeature, out float bestThreshold)
    {
        int count = end - start;
        int featureCount = _data.FeatureCount;
        Span<float> values = _sortValues.AsSpan(0, count);
        Span<int> rows = _sortRows.AsSpan(0, count);
        ReadOnlySpan<int> samples = _samples.AsSpan(start, count);
        Span<int> features = _features.AsSpan(0, featureCount);

        bestFeature = -1;
        bestThreshold = 0;
        double bestProxy = double.NegativeInfinity;
        int varying = 0;

        // Features are drawn without replacement by a Fisher–Yates pass that stops once MaxFeatures of them vary in
        // this node; constant ones do not count, so a split is found whenever any feature can split.
        for (int j = 0; j < featureCount && varying < _settings.MaxFeatures; j++)
        {
            int pick = j + _random.NextInt(featureCount - j);
            (features[j], features[pick]) = (features[pick], features[j]);
            int feature = features[j];

            ReadOnlySpan<float> column = _data.Column(feature);
            for (int i = 0; i < count; i++)
            {
                int s = samples[i];
                rows[i] = s;
                values[i] = column[s];
            }

            values.Sort(rows);
            if (values[0] == values[count - 1])
            {
                continue;
            }

            varying++;
            int position = _settings.Criterion switch
            {
                SplitCriterion.Gini => ScanGini(values, rows, weight, ref bestProxy),
                SplitCriterion.Entropy => ScanEntropy(values, rows, weight, ref bestProxy),
                _ => ScanSquaredError(values, rows, weight, ref bestProxy),
            };

            if (position >= 0)
            {
                bestFeature = feature;
                bestThreshold = Threshold(values[position], values[position + 1]);
            }
        }

        return bestFeature >= 0;
    }

    // The midpoint in float, as ONNX will compare in float; if rounding lands it on the upper value, the lower value
    // separates the two sides just as well (x <= lower sends exactly the same rows left).
    private static float Threshold(float lower, float upper)
    {
        float middle = (float)(((double)lower + upper) * 0.5);
        return middle < upper ? middle : lower;
    }

    // Each scan returns the index i of the best split (rows [0, i] go left) if it beats bestProxy, else -1. The
    // proxies are scikit-learn's: they rank splits as the weighted child impurities do, with fewer operations.
    private int ScanGini(ReadOnlySpan<float> values, ReadOnlySpan<int> rows, double weight, ref double bestProxy)
    {
        int classes = _data.ClassCount;
        Span<double> left = _leftCounts.AsSpan(0, classes);
        Span<double> right = _rightCounts.AsSpan(0, classes);
        left.Clear();
        _nodeCounts.AsSpan(0, classes).CopyTo(right);
        double squaresLeft = 0;
        double squaresRight = 0;
        foreach (double c in right)
        {
            squaresRight += c * c;
        }

        double weightLeft = 0;
        int[] classIds = _data.ClassIds;
        int minLeaf = _settings.MinSamplesLeaf;
        int count = values.Length;
        int best = -1;
        for (int i = 0; i < count - 1; i++)
        {
            int s = rows[i];
            int k = classIds[s];
            double w = _weights[s];
            squaresLeft += w * ((2 * left[k]) + w);
            squaresRight += w * (w - (2 * right[k]));
            left[k] += w;
            right[k] -= w;
            weightLeft += w;
            if (values[i] == values[i + 1] || i + 1 < minLeaf)
            {
                continue;
            }

            if (count - i - 1 < minLeaf)
            {
                break;
            }

            double proxy = (squaresLeft / weightLeft) + (squaresRight / (weight - weightLeft));
            if (proxy > bestProxy)
            {
                bestProxy = proxy;
                best = i;
            }
        }

        return best;
    }

    private int ScanEntropy(ReadOnlySpan<float> values, ReadOnlySpan<int> rows, double weight, ref double bestProxy)
    {
        int classes = _data.ClassCount;
        Span<double> left = _leftCounts.AsSpan(0, classes);
        Span<double> right = _rightCounts.AsSpan(0, classes);
        left.Clear();
        _nodeCounts.AsSpan(0, classes).CopyTo(right);

        // Sums of c·ln(c) over the classes of each side; -w·H = sum(c·ln c) - w·ln w.
        double entropyLeft = 0;
        double entropyRight = 0;
        foreach (double c in right)
        {
            entropyRight += XLogX(c);
        }

        double weightLeft = 0;
        int[] classIds = _data.ClassIds;
        int minLeaf = _settings.MinSamplesLeaf;
        int count = values.Length;
        int best = -1;
        for (int i = 0; i < count - 1; i++)
        {
            int s = rows[i];
            int k = classIds[s];
            double w = _weights[s];
            entropyLeft += XLogX(left[k] + w) - XLogX(left[k]);
            entropyRight += XLogX(right[k] - w) - XLogX(right[k]);
            left[k] += w;
            right[k] -= w;
            weightLeft += w;
            if (values[i] == values[i + 1] || i + 1 < minLeaf)
            {
                continue;
            }

            if (count - i - 1 < minLeaf)
            {
                break;
            }

            double proxy = entropyLeft - XLogX(weightLeft) + entropyRight - XLogX(weight - weightLeft);
            if (proxy > bestProxy)
            {
                bestProxy = proxy;
                best = i;
            }
        }

        return best;
    }

    private int ScanSquaredError(ReadOnlySpan<float> values, ReadOnlySpan<int> rows, double weight, ref double bestProxy)
    {
        double[] targets = _data.Targets;
        double total = _nodeTargetSum;
        double sumLeft = 0;
        double weightLeft = 0;
        int minLeaf = _settings.MinSamplesLeaf;
        int count = values.Length;
        int best = -1;
        for (int i = 0; i < count - 1; i++)
        {
            int s = rows[i];
            double w = _weights[s];
            sumLeft += w * targets[s];
            weightLeft += w;
            if (values[i] == values[i + 1] || i + 1 < minLeaf)
            {
                continue;
            }

            if (count - i - 1 < minLeaf)
            {
                break;
            }

            double sumRight = total - sumLeft;
            double proxy = (sumLeft * sumLeft / weightLeft) + (sumRight * sumRight / (weight - weightLeft));
            if (proxy > bestProxy)
            {
                bestProxy = proxy;
                best = i;
            }
        }

        return best;
    }

    // Moves the node's rows with x[feature] <= threshold to the front; returns where the right child's rows begin.
    private int Partition(int start, int end, int feature, float threshold)
    {
        ReadOnlySpan<float> column = _data.Column(feature);
        Span<int> samples = _samples.AsSpan();
        int i = start;
        int j = end - 1;
        while (i <= j)
        {
            if (column[samples[i]] <= threshold)
            {
                i++;
            }
            else
            {
                (samples[i], samples[j]) = (samples[j], samples[i]);
                j--;
            }
        }

        return i;
    }

    private static double XLogX(double x) => x > 0 ? x * Math.Log(x) : 0;
}
