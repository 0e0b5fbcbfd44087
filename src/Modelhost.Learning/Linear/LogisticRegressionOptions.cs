namespace Modelhost.Learning.Linear;

/// <summary>Settings for <see cref="LogisticRegression"/>.</summary>
public sealed record LogisticRegressionOptions
{
    /// <summary>
    /// The L2 penalty: the objective is the summed log loss plus <c>Alpha / 2 · ‖W‖²</c> over the weights of the
    /// standardized features (intercepts are not penalized), i.e. scikit-learn's <c>C = 1 / Alpha</c>. 1 by default.
    /// </summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>The most L-BFGS iterations; 1000 by default.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Training stops when the largest gradient component of the mean loss is below this; 1e-6 by default.</summary>
    public double Tolerance { get; init; } = 1e-6;
}
