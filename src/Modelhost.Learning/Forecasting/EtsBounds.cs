namespace Modelhost.Learning.Forecasting;

/// <summary>
/// The "usual" parameter region of <c>forecast::ets</c> (bounds = "both" intersects it with the admissible region):
/// α, β, γ in [1e-4, 0.9999] with β ≤ α and γ ≤ 1 − α, and φ in [0.8, 0.98].
/// </summary>
internal static class EtsBounds
{
    /// <summary>Lower bound of α, β and γ.</summary>
    public const double SmoothingLower = 1e-4;

    /// <summary>Upper bound of α, β and γ.</summary>
    public const double SmoothingUpper = 0.9999;

    /// <summary>Lower bound of φ: below it a damped trend is hardly a trend.</summary>
    public const double PhiLower = 0.8;

    /// <summary>Upper bound of φ: above it damping is indistinguishable from none.</summary>
    public const double PhiUpper = 0.98;

    /// <summary>Whether the parameters lie in the usual region for the model form.</summary>
    public static bool InUsualRegion(EtsSpec spec, EtsSmoothing p)
    {
        if (!(p.Alpha >= SmoothingLower && p.Alpha <= SmoothingUpper))
        {
            return false;
        }

        if (spec.HasTrend && !(p.Beta >= SmoothingLower && p.Beta <= SmoothingUpper && p.Beta <= p.Alpha))
        {
            return false;
        }

        if (spec.HasSeason && !(p.Gamma >= SmoothingLower && p.Gamma <= SmoothingUpper && p.Gamma <= 1 - p.Alpha))
        {
            return false;
        }

        return !spec.IsDamped || (p.Phi >= PhiLower && p.Phi <= PhiUpper);
    }
}
