namespace Modelhost.Learning.Forecasting;

/// <summary>A function to minimize; returns +∞ for points outside the feasible region.</summary>
internal delegate double ObjectiveFunction(ReadOnlySpan<double> x);
