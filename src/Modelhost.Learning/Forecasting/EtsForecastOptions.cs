namespace Modelhost.Learning.Forecasting;

/// <summary>How <see cref="EtsModel.Forecast(int, EtsForecastOptions?)"/> computes prediction intervals.</summary>
public sealed class EtsForecastOptions
{
    /// <summary>The seed of the simulation used when <see cref="EtsForecastOptions"/> is not given.</summary>
    public const ulong DefaultSeed = 0x5EED_E75_2008UL;

    /// <summary>The shared default options.</summary>
    public static EtsForecastOptions Default { get; } = new();

    /// <summary>Sample paths simulated for models without analytic intervals.</summary>
    public int SimulationPaths { get; init; } = 5000;

    /// <summary>The random seed of the simulation, so the same model always gives the same intervals.</summary>
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>Simulate even when analytic intervals exist (for checking them, or for non-normal path quantiles).</summary>
    public bool AlwaysSimulate { get; init; }
}
