using Modelhost.Learning.Forecasting;

namespace Modelhost.Bench.Forecast;

/// <summary>One classic series split M-competition style: everything but the last <see cref="Horizon"/> points to fit, those to score.</summary>
internal sealed record SeriesSplit(string Key, int Period, int Count, int Horizon, TimeSeries Train, double[] Test);
