namespace Modelhost.Learning.Forecasting;

/// <summary>The best point <see cref="NelderMead"/> found.</summary>
/// <param name="Point">The minimizing point.</param>
/// <param name="Value">The function's value there.</param>
/// <param name="Evaluations">How many times the function was evaluated.</param>
internal readonly record struct NelderMeadResult(double[] Point, double Value, int Evaluations);
