namespace Modelhost.Bench.Forecast;

/// <summary>One series: the form automatic selection chose, the MASE of its forecasts and of the baselines, and the fitting times of every measured pass.</summary>
internal sealed record SeriesResult(
    SeriesSplit Split,
    string Method,
    double Aicc,
    double[] Forecast,
    double Mase,
    double NaiveMase,
    double SeasonalNaiveMase,
    double[] WallMs,
    double[] CpuMs);
