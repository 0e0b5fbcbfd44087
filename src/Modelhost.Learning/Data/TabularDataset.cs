using System.Collections.ObjectModel;

namespace Modelhost.Learning.Data;

/// <summary>
/// A table of numeric features and one target column, held in memory: the features as a row-major matrix of doubles,
/// the target as class ids (classification) or doubles (regression). Immutable, so it can be shared between threads.
/// </summary>
public sealed class TabularDataset
{
    private readonly double[] _features;
    private readonly int[] _classIds;
    private readonly double[] _targets;
    private readonly string[] _featureNames;
    private readonly string[] _classLabels;

    internal TabularDataset(
        double[] features, string[] featureNames, string targetName, TargetKind kind, int[] classIds, string[] classLabels, double[] targets)
    {
        _features = features;
        _featureNames = featureNames;
        _classIds = classIds;
        _classLabels = classLabels;
        _targets = targets;
        TargetName = targetName;
        TargetKind = kind;
        FeatureNames = new ReadOnlyCollection<string>(featureNames);
        ClassLabels = new ReadOnlyCollection<string>(classLabels);
        RowCount = kind == TargetKind.Classification ? classIds.Length : targets.Length;
    }

    /// <summary>Whether the target holds class labels or real values.</summary>
    public TargetKind TargetKind { get; }

    /// <summary>The name of the target column.</summary>
    public string TargetName { get; }

    /// <summary>The feature column names, in matrix column order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The number of feature columns.</summary>
    public int FeatureCount => _featureNames.Length;

    /// <summary>The feature matrix, row-major: row <c>i</c> is <c>[i * FeatureCount, (i + 1) * FeatureCount)</c>.</summary>
    public ReadOnlyMemory<double> Features => _features;

    /// <summary>
    /// The class labels, indexed by class id: sorted numerically when every label is a number, otherwise ordinally
    /// (as scikit-learn's LabelEncoder). Empty for regression.
    /// </summary>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>The number of classes; 0 for regression.</summary>
    public int ClassCount => _classLabels.Length;

    /// <summary>Each row's class id, an index into <see cref="ClassLabels"/>. Empty for regression.</summary>
    public ReadOnlyMemory<int> ClassIds => _classIds;

    /// <summary>Each row's target value. Empty for classification.</summary>
    public ReadOnlyMemory<double> Targets => _targets;

    /// <summary>Loads a CSV file with a header row; every column but the target must be numeric.</summary>
    /// <remarks>
    /// Fields follow RFC 4180 (quotes, doubled quotes, line breaks inside quotes; CRLF, LF or CR line ends); blank
    /// lines are skipped. An empty field, or <c>NA</c>, <c>N/A</c>, <c>NaN</c>, <c>null</c>, <c>None</c>, <c>?</c>
    /// or <c>#N/A</c> in any case, is a missing value, which is an error. Class labels are trimmed of white space.
    /// </remarks>
    /// <param name="path">The file.</param>
    /// <param name="target">The name of the target column, as written in the header.</param>
    /// <param name="kind">Whether the target holds class labels or real values.</param>
    /// <param name="options">Delimiter and limits; <see cref="CsvLoadOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Checked every 1,024 rows.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="DatasetFormatException">
    /// The file is malformed, too large, has a missing or non-numeric value (the message names row, line and column),
    /// a ragged row, no target column, or a classification target with a single class.
    /// </exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while the file was read.</exception>
    public static TabularDataset LoadCsv(string path, string target, TargetKind kind = TargetKind.Classification, CsvLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(target);
        options ??= CsvLoadOptions.Default;
        options.Validate();
        var file = new FileInfo(path);
        if (file.Exists && file.Length > options.MaxFileBytes)
        {
            throw new DatasetFormatException($"The file '{file.Name}' is {file.Length} bytes, larger than the limit of {options.MaxFileBytes} bytes.");
        }

        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return TabularCsvLoader.Load(reader, target, kind, options, cancellationToken);
    }

    /// <summary>Reads CSV text with a header row; every column but the target must be numeric.</summary>
    /// <param name="reader">The text; read to the end but not disposed.</param>
    /// <param name="target">The name of the target column, as written in the header.</param>
    /// <param name="kind">Whether the target holds class labels or real values.</param>
    /// <param name="options">Delimiter and limits (<see cref="CsvLoadOptions.MaxFileBytes"/> counts characters here); <see cref="CsvLoadOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Checked every 1,024 rows.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="DatasetFormatException">See <see cref="LoadCsv(string, string, TargetKind, CsvLoadOptions?, CancellationToken)"/>.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while the text was read.</exception>
    public static TabularDataset LoadCsv(TextReader reader, string target, TargetKind kind = TargetKind.Classification, CsvLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrEmpty(target);
        options ??= CsvLoadOptions.Default;
        options.Validate();
        return TabularCsvLoader.Load(reader, target, kind, options, cancellationToken);
    }

    /// <summary>Makes a classification dataset from arrays (for generated data and tests).</summary>
    /// <param name="features">The row-major feature matrix; its length is a multiple of <paramref name="featureCount"/>.</param>
    /// <param name="featureCount">The number of features per row; 1 or more.</param>
    /// <param name="classIds">Each row's class id, in <c>[0, classLabels.Count)</c>.</param>
    /// <param name="classLabels">The class labels, indexed by class id; at least two, distinct.</param>
    /// <param name="featureNames">The feature names; <c>x0, x1, ...</c> when null.</param>
    /// <param name="targetName">The target's name.</param>
    /// <returns>The dataset, holding copies of the arrays.</returns>
    /// <exception cref="ArgumentException">The shapes disagree, a value is not finite in 32-bit float range, or a class id is out of range.</exception>
    public static TabularDataset CreateClassification(
        ReadOnlySpan<double> features,
        int featureCount,
        ReadOnlySpan<int> classIds,
        IReadOnlyList<string> classLabels,
        IReadOnlyList<string>? featureNames = null,
        string targetName = "target")
    {
        ArgumentNullException.ThrowIfNull(classLabels);
        string[] names = CheckFeatures(features, featureCount, classIds.Length, featureNames);
        if (classLabels.Count < 2 || classLabels.Distinct(StringComparer.Ordinal).Count() != classLabels.Count)
        {
            throw new ArgumentException("At least two distinct class labels are needed.", nameof(classLabels));
        }

        foreach (int id in classIds)
        {
            if ((uint)id >= (uint)classLabels.Count)
            {
                throw new ArgumentException($"Class id {id} is not in [0, {classLabels.Count}).", nameof(classIds));
            }
        }

        return new TabularDataset(features.ToArray(), names, targetName, TargetKind.Classification, classIds.ToArray(), classLabels.ToArray(), []);
    }

    /// <summary>Makes a regression dataset from arrays (for generated data and tests).</summary>
    /// <param name="features">The row-major feature matrix; its length is a multiple of <paramref name="featureCount"/>.</param>
    /// <param name="featureCount">The number of features per row; 1 or more.</param>
    /// <param name="targets">Each row's target value; finite.</param>
    /// <param name="featureNames">The feature names; <c>x0, x1, ...</c> when null.</param>
    /// <param name="targetName">The target's name.</param>
    /// <returns>The dataset, holding copies of the arrays.</returns>
    /// <exception cref="ArgumentException">The shapes disagree or a value is not finite (features: in 32-bit float range).</exception>
    public static TabularDataset CreateRegression(
        ReadOnlySpan<double> features,
        int featureCount,
        ReadOnlySpan<double> targets,
        IReadOnlyList<string>? featureNames = null,
        string targetName = "target")
    {
        string[] names = CheckFeatures(features, featureCount, targets.Length, featureNames);
        foreach (double t in targets)
        {
            if (!double.IsFinite(t))
            {
                throw new ArgumentException("Every target value must be finite.", nameof(targets));
            }
        }

        return new TabularDataset(features.ToArray(), names, targetName, TargetKind.Regression, [], [], targets.ToArray());
    }

    /// <summary>Row <paramref name="row"/> of the feature matrix.</summary>
    /// <param name="row">The row index.</param>
    /// <returns>The row's <see cref="FeatureCount"/> values.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    public ReadOnlySpan<double> GetRow(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        return _features.AsSpan(row * FeatureCount, FeatureCount);
    }

    /// <summary>A dataset of the given rows, in the given order (a row may repeat); class labels are kept whole.</summary>
    /// <param name="rows">The row indices.</param>
    /// <returns>The new dataset.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public TabularDataset Subset(ReadOnlySpan<int> rows)
    {
        int f = FeatureCount;
        var features = new double[rows.Length * f];
        var classIds = TargetKind == TargetKind.Classification ? new int[rows.Length] : [];
        var targets = TargetKind == TargetKind.Regression ? new double[rows.Length] : [];
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)RowCount)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row index {r} is not in [0, {RowCount}).");
            }

            _features.AsSpan(r * f, f).CopyTo(features.AsSpan(i * f, f));
            if (TargetKind == TargetKind.Classification)
            {
                classIds[i] = _classIds[r];
            }
            else
            {
                targets[i] = _targets[r];
            }
        }

        return new TabularDataset(features, _featureNames, TargetName, TargetKind, classIds, _classLabels, targets);
    }

    /// <summary>
    /// Splits the rows at random into a training and a test set, the same way for the same seed. The test set gets
    /// <c>ceil(testSize * RowCount)</c> rows, as in scikit-learn; both sets are shuffled.
    /// </summary>
    /// <param name="testSize">The fraction of rows to test on, in (0, 1).</param>
    /// <param name="seed">The random seed.</param>
    /// <param name="stratify">
    /// Keep each class's share of rows equal in both sets (classification only; every class needs at least two rows).
    /// </param>
    /// <returns>The two sets.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testSize"/> is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">A set would be empty, or stratification is impossible.</exception>
    public (TabularDataset Train, TabularDataset Test) TrainTestSplit(double testSize, int seed, bool stratify = false)
    {
        if (!(testSize > 0 && testSize < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testSize), testSize, "The test size must be a fraction in (0, 1).");
        }

        int testCount = (int)Math.Ceiling(testSize * RowCount);
        int trainCount = RowCount - testCount;
        if (testCount == 0 || trainCount == 0)
        {
            throw new ArgumentException(
                $"A test size of {testSize} leaves {trainCount} training and {testCount} test rows out of {RowCount}; both need at least one.", nameof(testSize));
        }

        var random = DeterministicRandom.FromSeed(seed);
        int[] train;
        int[] test;
        if (!stratify)
        {
            int[] order = Enumerable.Range(0, RowCount).ToArray();
            random.Shuffle(order.AsSpan());
            test = order[..testCount];
            train = order[testCount..];
        }
        else
        {
            if (TargetKind != TargetKind.Classification)
            {
                throw new ArgumentException("Only a classification dataset can be split with stratification.", nameof(stratify));
            }

            (train, test) = StratifiedSplit.Split(_classIds, ClassCount, testCount, random);
        }

        random.Shuffle(train.AsSpan());
        random.Shuffle(test.AsSpan());
        return (Subset(train), Subset(test));
    }

    private static string[] CheckFeatures(ReadOnlySpan<double> features, int featureCount, int rows, IReadOnlyList<string>? featureNames)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        if ((long)rows * featureCount != features.Length)
        {
            throw new ArgumentException($"{features.Length} feature values do not make {rows} rows of {featureCount}.", nameof(features));
        }

        if (rows == 0)
        {
            throw new ArgumentException("A dataset needs at least one row.", nameof(features));
        }

        foreach (double v in features)
        {
            if (!float.IsFinite((float)v))
            {
                throw new ArgumentException("Every feature value must be finite and within the 32-bit float range.", nameof(features));
            }
        }

        string[] names = featureNames?.ToArray() ?? Enumerable.Range(0, featureCount).Select(i => $"x{i}").ToArray();
        if (names.Length != featureCount || names.Distinct(StringComparer.Ordinal).Count() != featureCount)
        {
            throw new ArgumentException($"{featureCount} distinct feature names are needed.", nameof(featureNames));
        }

        return names;
    }
}
