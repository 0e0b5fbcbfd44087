namespace Modelhost.Jobs;

/// <summary>
/// How long a failed job waits before its next attempt: <see cref="BaseDelay"/> × <see cref="Factor"/>^(attempt − 1),
/// at most <see cref="MaxDelay"/>, then spread by ±<see cref="Jitter"/> so that jobs failing together do not retry together.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>The wait after the first failed attempt, before jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How much the wait grows with each further failed attempt; at least 1.</summary>
    public double Factor { get; set; } = 2;

    /// <summary>The longest wait, before jitter.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The fraction (0 to 1) by which a wait may be shorter or longer than computed.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based), before jitter.</summary>
    public TimeSpan NominalDelay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var max = Math.Max(0, MaxDelay.TotalMilliseconds);
        var ms = Math.Max(0, BaseDelay.TotalMilliseconds) * Math.Pow(Math.Max(1, Factor), attempt - 1);
        return TimeSpan.FromMilliseconds(double.IsFinite(ms) ? Math.Min(ms, max) : max);
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/>, with jitter from <paramref name="random"/> in [0, 1).</summary>
    internal TimeSpan Delay(int attempt, double random)
    {
        var jitter = Math.Clamp(Jitter, 0, 1);
        var nominal = NominalDelay(attempt).TotalMilliseconds;
        return TimeSpan.FromMilliseconds(nominal * (1 + jitter * (2 * random - 1)));
    }

    internal void Validate()
    {
        if (BaseDelay < TimeSpan.Zero || MaxDelay < TimeSpan.Zero || !(Factor >= 1) || !(Jitter is >= 0 and <= 1))
        {
            throw new ArgumentException("The retry policy needs BaseDelay ≥ 0, MaxDelay ≥ 0, Factor ≥ 1 and Jitter between 0 and 1.");
        }
    }
}
