namespace Modelhost.Learning.Forecasting;

/// <summary>Stopping rules for <see cref="NelderMead"/>.</summary>
/// <param name="MaxEvaluations">Budget of function evaluations over all restarts.</param>
/// <param name="RelativeTolerance">A run stops when the simplex's function values agree to this relative tolerance.</param>
/// <param name="MaxRestarts">How many times the search may restart from its best point with a fresh simplex.</param>
internal readonly record struct NelderMeadSettings(int MaxEvaluations, double RelativeTolerance, int MaxRestarts);
