namespace Modelhost.Learning.Forecasting;

/// <summary>The smoothing parameters of one ETS model; components the model lacks hold neutral values.</summary>
/// <param name="Alpha">Level smoothing α.</param>
/// <param name="Beta">Trend smoothing β (0 without a trend).</param>
/// <param name="Gamma">Seasonal smoothing γ (0 without a season).</param>
/// <param name="Phi">Damping φ (1 for an undamped trend, 0 without a trend so that the trend drops out).</param>
internal readonly record struct EtsSmoothing(double Alpha, double Beta, double Gamma, double Phi);
