using System.Collections.ObjectModel;
using Modelhost.Learning.Data;
using Modelhost.Learning.Export;

namespace Modelhost.Learning.Linear;

/// <summary>
/// Least-squares linear regression with an L2 penalty (ridge), fitted on standardized features by solving the
/// normal equations with a Cholesky factorization. Immutable and thread-safe once trained.
/// </summary>
/// <remarks>
/// The model predicts <c>intercept + Σ w_j · (x_j − mean_j) / scale_j</c>; the exported graph computes the same
/// with Sub, Div, MatMul and Add. All parameters are rounded to float, the precision the graph holds them in.
/// </remarks>
public sealed class LinearRegression : ITabularRegressor
{
    private readonly double[] _weights;

    private LinearRegression(TabularDataset data, LinearRegressionOptions options, Standardizer standardizer, double[] weights, double intercept)
    {
        FeatureNames = data.FeatureNames;
        TargetName = data.TargetName;
        Options = options;
        Standardizer = standardizer;
        _weights = weights;
        StandardizedIntercept = intercept;

        // The same model in the units of the raw features.
        var coefficients = new double[weights.Length];
        double rawIntercept = intercept;
        for (int f = 0; f < weights.Length; f++)
        {
            coefficients[f] = weights[f] / standardizer.Scales[f];
            rawIntercept -= coefficients[f] * standardizer.Means[f];
        }

        Coefficients = new ReadOnlyCollection<double>(coefficients);
        Intercept = rawIntercept;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <inheritdoc/>
    public string TargetName { get; }

    /// <summary>The options the model was trained with.</summary>
    public LinearRegressionOptions Options { get; }

    /// <summary>The coefficient of each raw feature.</summary>
    public IReadOnlyList<double> Coefficients { get; }

    /// <summary>The intercept in raw feature units.</summary>
    public double Intercept { get; }

    internal Standardizer Standardizer { get; }

    internal ReadOnlySpan<double> StandardizedWeights => _weights;

    internal double StandardizedIntercept { get; }

    /// <summary>Fits the model.</summary>
    /// <param name="data">A regression dataset.</param>
    /// <param name="options">The settings; <see cref="LinearRegressionOptions.Alpha"/> 1 when null.</param>
    /// <param name="cancellationToken">Checked while the normal equations are accumulated.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">The dataset is not a regression dataset or Alpha is negative.</exception>
    /// <exception cref="InvalidOperationException">With Alpha 0, the features are collinear or one is constant.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public static LinearRegression Train(TabularDataset data, LinearRegressionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new LinearRegressionOptions();
        if (data.TargetKind != TargetKind.Regression)
        {
            throw new ArgumentException($"Linear regression needs a regression target; '{data.TargetName}' holds class labels.", nameof(data));
        }

        if (!(options.Alpha >= 0) || double.IsInfinity(options.Alpha))
        {
            throw new ArgumentException($"Alpha must be a finite number, 0 or more (was {options.Alpha}).", nameof(options));
        }

        int rows = data.RowCount;
        int features = data.FeatureCount;
        var standardizer = Standardizer.Fit(data);
        ReadOnlySpan<double> y = data.Targets.Span;
        double yMean = 0;
        foreach (double v in y)
        {
            yMean += v;
        }

        yMean /= rows;

        // Zᵀ·Z + α·I and Zᵀ·(y − ȳ) over the standardized rows; centring y leaves the intercept unpenalized.
        var gram = new double[features * features];
        var moment = new double[features];
        var z = new double[features];
        ReadOnlySpan<double> x = data.Features.Span;
        for (int i = 0; i < rows; i++)
        {
            if ((i & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            standardizer.Transform(x.Slice(i * features, features), z);
            double centred = y[i] - yMean;
            for (int j = 0; j < features; j++)
            {
                double zj = z[j];
                moment[j] += zj * centred;
                for (int k = j; k < features; k++)
                {
                    gram[(j * features) + k] += zj * z[k];
                }
            }
        }

        for (int j = 0; j < features; j++)
        {
            gram[(j * features) + j] += options.Alpha;
        }

        if (!Cholesky.TrySolve(gram, features, moment, out double[] weights))
        {
            throw new InvalidOperationException(
                "The normal equations are singular: some features are collinear or constant. Train with Alpha > 0.");
        }

        for (int j = 0; j < features; j++)
        {
            weights[j] = (float)weights[j];
        }

        return new LinearRegression(data, options, standardizer, weights, (float)yMean);
    }

    /// <inheritdoc/>
    public double Predict(ReadOnlySpan<double> features)
    {
        if (features.Length != FeatureNames.Count)
        {
            throw new ArgumentException($"The row has {features.Length} values; the model reads {FeatureNames.Count} features.", nameof(features));
        }

        double sum = 0;
        for (int f = 0; f < features.Length; f++)
        {
            sum += _weights[f] * ((features[f] - Standardizer.Means[f]) / Standardizer.Scales[f]);
        }

        return sum + StandardizedIntercept;
    }

    /// <inheritdoc/>
    public byte[] ExportOnnx() => LinearModelExporter.Export(this);
}
