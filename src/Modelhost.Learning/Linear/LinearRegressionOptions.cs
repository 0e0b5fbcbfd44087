namespace Modelhost.Learning.Linear;

/// <summary>Settings for <see cref="LinearRegression"/>.</summary>
public sealed record LinearRegressionOptions
{
    /// <summary>
    /// The L2 penalty on the coefficients of the standardized features (ridge regression); 1 by default, 0 for
    /// ordinary least squares (which fails on collinear or constant features). The intercept is not penalized.
    /// </summary>
    public double Alpha { get; init; } = 1.0;
}
