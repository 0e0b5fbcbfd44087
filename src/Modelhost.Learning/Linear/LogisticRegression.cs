using System.Buffers;
using Modelhost.Learning.Data;
using Modelhost.Learning.Export;

namespace Modelhost.Learning.Linear;

/// <summary>
/// Multinomial (softmax) logistic regression with an L2 penalty, trained by L-BFGS on standardized features.
/// Immutable and thread-safe once trained.
/// </summary>
/// <remarks>
/// Each class has a weight vector over the standardized features and an intercept; the probabilities are the
/// softmax of the scores and the label their argmax. The exported graph computes the same with Sub, Div, MatMul,
/// Add, Softmax and ArgMax. All parameters are rounded to float, the precision the graph holds them in.
/// </remarks>
public sealed class LogisticRegression : ITabularClassifier
{
    // Row-major [class, feature] over standardized features.
    private readonly double[] _weights;
    private readonly double[] _intercepts;

    private LogisticRegression(
        TabularDataset data, LogisticRegressionOptions options, Standardizer standardizer, double[] weights, double[] intercepts, int iterations, bool converged)
    {
        FeatureNames = data.FeatureNames;
        TargetName = data.TargetName;
        ClassLabels = data.ClassLabels;
        Options = options;
        Standardizer = standardizer;
        _weights = weights;
        _intercepts = intercepts;
        Iterations = iterations;
        Converged = converged;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <inheritdoc/>
    public string TargetName { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>The options the model was trained with.</summary>
    public LogisticRegressionOptions Options { get; }

    /// <summary>The L-BFGS iterations training took.</summary>
    public int Iterations { get; }

    /// <summary>Whether the gradient tolerance was met within the iteration limit.</summary>
    public bool Converged { get; }

    internal Standardizer Standardizer { get; }

    internal ReadOnlySpan<double> StandardizedWeights => _weights;

    internal ReadOnlySpan<double> Intercepts => _intercepts;

    /// <summary>The coefficient of raw feature <paramref name="feature"/> in class <paramref name="classId"/>'s score.</summary>
    /// <param name="classId">The class id.</param>
    /// <param name="feature">The feature index.</param>
    /// <returns>The coefficient in raw feature units.</returns>
    public double GetCoefficient(int classId, int feature)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classId, ClassLabels.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(feature);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(feature, FeatureNames.Count);
        return _weights[(classId * FeatureNames.Count) + feature] / Standardizer.Scales[feature];
    }

    /// <summary>Class <paramref name="classId"/>'s intercept in raw feature units.</summary>
    /// <param name="classId">The class id.</param>
    /// <returns>The intercept.</returns>
    public double GetIntercept(int classId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classId, ClassLabels.Count);
        double intercept = _intercepts[classId];
        for (int f = 0; f < FeatureNames.Count; f++)
        {
            intercept -= GetCoefficient(classId, f) * Standardizer.Means[f];
        }

        return intercept;
    }

    /// <summary>Trains the model.</summary>
    /// <param name="data">A classification dataset.</param>
    /// <param name="options">The settings; defaults when null.</param>
    /// <param name="cancellationToken">Checked every iteration.</param>
    /// <returns>The trained model (check <see cref="Converged"/>).</returns>
    /// <exception cref="ArgumentException">The dataset is not a classification dataset, or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public static LogisticRegression Train(TabularDataset data, LogisticRegressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new LogisticRegressionOptions();
        if (data.TargetKind != TargetKind.Classification)
        {
            throw new ArgumentException($"Logistic regression needs a classification target; '{data.TargetName}' holds real values.", nameof(data));
        }

        if (!(options.Alpha >= 0) || double.IsInfinity(options.Alpha) || options.MaxIterations < 1 || !(options.Tolerance > 0))
        {
            throw new ArgumentException("Alpha must be finite and 0 or more, MaxIterations at least 1 and Tolerance positive.", nameof(options));
        }

        var standardizer = Standardizer.Fit(data);
        var objective = new SoftmaxObjective(standardizer.Transform(data), data.ClassIds.ToArray(), data.FeatureCount, data.ClassCount, options.Alpha);
        var parameters = new double[objective.ParameterCount];
        (int iterations, bool converged) = LbfgsMinimizer.Minimize(
            objective.Evaluate, parameters, options.MaxIterations, options.Tolerance, cancellationToken);

        int weightCount = data.ClassCount * data.FeatureCount;
        double[] weights = parameters[..weightCount].Select(v => (double)(float)v).ToArray();
        double[] intercepts = parameters[weightCount..].Select(v => (double)(float)v).ToArray();
        return new LogisticRegression(data, options, standardizer, weights, intercepts, iterations, converged);
    }

    /// <inheritdoc/>
    public int Predict(ReadOnlySpan<double> features)
    {
        int classes = ClassLabels.Count;
        double[]? rented = classes > 128 ? ArrayPool<double>.Shared.Rent(classes) : null;
        Span<double> scores = rented is null ? stackalloc double[classes] : rented.AsSpan(0, classes);
        try
        {
            return Scores(features, scores);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
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

        int label = Scores(features, probabilities);
        double max = probabilities[label];
        double sum = 0;
        for (int k = 0; k < classes; k++)
        {
            probabilities[k] = Math.Exp(probabilities[k] - max);
            sum += probabilities[k];
        }

        for (int k = 0; k < classes; k++)
        {
            probabilities[k] /= sum;
        }

        return label;
    }

    /// <inheritdoc/>
    public byte[] ExportOnnx() => LinearModelExporter.Export(this);

    // Writes each class's score and returns the first class with the highest.
    private int Scores(ReadOnlySpan<double> features, Span<double> scores)
    {
        int featureCount = FeatureNames.Count;
        if (features.Length != featureCount)
        {
            throw new ArgumentException($"The row has {features.Length} values; the model reads {featureCount} features.", nameof(features));
        }

        _intercepts.CopyTo(scores);
        for (int f = 0; f < featureCount; f++)
        {
            double z = (features[f] - Standardizer.Means[f]) / Standardizer.Scales[f];
            for (int k = 0; k < scores.Length; k++)
            {
                scores[k] += _weights[(k * featureCount) + f] * z;
            }
        }

        int best = 0;
        for (int k = 1; k < scores.Length; k++)
        {
            if (scores[k] > scores[best])
            {
                best = k;
            }
        }

        return best;
    }
}
