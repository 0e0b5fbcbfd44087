namespace Modelhost.Learning.Forecasting;

/// <summary>
/// The likelihood criterion of one model form as a function of its free parameters, laid out as
/// [α, β?, γ?, φ?, ℓ₀, b₀?, s₁ … s₍ₘ₋₁₎] with the smoothing parameters in logit coordinates (see <see cref="Smoothing"/>). The phase-0 seasonal state is not free: it follows from the seasonal
/// states summing to 0 (additive) or to m (multiplicative), which removes the level/season redundancy.
/// </summary>
internal sealed class EtsObjective
{
    private readonly double[] _y;
    private readonly double[] _season;
    private readonly double _sumSquaresFloor;

    public EtsObjective(ReadOnlySpan<double> y, EtsSpec spec, int m)
    {
        _y = y.ToArray();
        Spec = spec;
        Period = spec.HasSeason ? m : 1;
        _season = new double[spec.HasSeason ? m : 0];
        var index = 1;
        BetaIndex = spec.HasTrend ? index++ : -1;
        GammaIndex = spec.HasSeason ? index++ : -1;
        PhiIndex = spec.IsDamped ? index++ : -1;
        LevelIndex = index++;
        TrendIndex = spec.HasTrend ? index++ : -1;
        SeasonIndex = index;
        Dimension = index + (spec.HasSeason ? m - 1 : 0);

        // An exact fit would make log Σe² = −∞; a floor far below any real noise keeps the criterion finite.
        double meanAbs = 0;
        foreach (var v in y)
        {
            meanAbs += Math.Abs(v);
        }

        meanAbs /= Math.Max(1, y.Length);
        var scale = spec.Error == EtsErrorType.Multiplicative ? 1.0 : Math.Max(meanAbs, 1e-150);
        SumSquaresFloor = y.Length * (1e-10 * scale) * (1e-10 * scale);
        _sumSquaresFloor = SumSquaresFloor;
    }

    /// <summary>The model form.</summary>
    public EtsSpec Spec { get; }

    /// <summary>Seasonal period (1 without a season).</summary>
    public int Period { get; }

    /// <summary>Number of free parameters.</summary>
    public int Dimension { get; }

    /// <summary>Index of β, or −1.</summary>
    public int BetaIndex { get; }

    /// <summary>Index of γ, or −1.</summary>
    public int GammaIndex { get; }

    /// <summary>Index of φ, or −1.</summary>
    public int PhiIndex { get; }

    /// <summary>Index of the initial level.</summary>
    public int LevelIndex { get; }

    /// <summary>Index of the initial trend, or −1.</summary>
    public int TrendIndex { get; }

    /// <summary>Index of the first free seasonal state (phase 1).</summary>
    public int SeasonIndex { get; }

    /// <summary>The floor under Σe² (see <see cref="EtsRecursion.Criterion"/>).</summary>
    public double SumSquaresFloor { get; }

    /// <summary>
    /// The smoothing parameters of a parameter vector, with neutral values for absent components. The vector holds
    /// them as logits of their position within the usual region (α in its bounds, β between the lower bound and α,
    /// γ between the lower bound and 1 − α, φ in its bounds), so every vector satisfies the usual bounds and the
    /// β ≤ α and γ ≤ 1 − α constraints become box-shaped, which the simplex search follows far better than a
    /// diagonal wall of infeasible points.
    /// </summary>
    public EtsSmoothing Smoothing(ReadOnlySpan<double> x)
    {
        const double lo = EtsBounds.SmoothingLower;
        const double hi = EtsBounds.SmoothingUpper;
        var alpha = lo + ((hi - lo) * Logistic(x[0]));
        var beta = BetaIndex >= 0 ? lo + ((Math.Min(hi, alpha) - lo) * Logistic(x[BetaIndex])) : 0;
        var gamma = GammaIndex >= 0 ? lo + ((Math.Min(hi, 1 - alpha) - lo) * Logistic(x[GammaIndex])) : 0;
        var phi = PhiIndex >= 0
            ? EtsBounds.PhiLower + ((EtsBounds.PhiUpper - EtsBounds.PhiLower) * Logistic(x[PhiIndex]))
            : (Spec.HasTrend ? 1 : 0);
        return new EtsSmoothing(alpha, beta, gamma, phi);
    }

    /// <summary>Writes natural smoothing parameters into a parameter vector (the inverse of <see cref="Smoothing"/>).</summary>
    public void SetSmoothing(Span<double> x, EtsSmoothing p)
    {
        const double lo = EtsBounds.SmoothingLower;
        const double hi = EtsBounds.SmoothingUpper;
        x[0] = Logit((p.Alpha - lo) / (hi - lo));
        if (BetaIndex >= 0)
        {
            x[BetaIndex] = Logit((p.Beta - lo) / (Math.Min(hi, p.Alpha) - lo));
        }

        if (GammaIndex >= 0)
        {
            x[GammaIndex] = Logit((p.Gamma - lo) / (Math.Min(hi, 1 - p.Alpha) - lo));
        }

        if (PhiIndex >= 0)
        {
            x[PhiIndex] = Logit((p.Phi - EtsBounds.PhiLower) / (EtsBounds.PhiUpper - EtsBounds.PhiLower));
        }
    }

    private static double Logistic(double u) => 1 / (1 + Math.Exp(-u));

    private static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-9, 1 - 1e-9);
        return Math.Log(p / (1 - p));
    }

    /// <summary>Writes all m initial seasonal states (by phase), completing phase 0 from the normalisation.</summary>
    public void InitialSeason(ReadOnlySpan<double> x, Span<double> season)
    {
        if (!Spec.HasSeason)
        {
            return;
        }

        double sum = 0;
        for (var j = 1; j < Period; j++)
        {
            season[j] = x[SeasonIndex + j - 1];
            sum += season[j];
        }

        season[0] = (Spec.Season == EtsSeasonType.Multiplicative ? Period : 0) - sum;
    }

    /// <summary>Whether the parameters are in the usual and admissible regions and the initial states are valid.</summary>
    public bool IsFeasible(ReadOnlySpan<double> x, Span<double> season)
    {
        var p = Smoothing(x);
        if (!EtsBounds.InUsualRegion(Spec, p) || !EtsAdmissibility.IsAdmissible(Spec, p, Period))
        {
            return false;
        }

        InitialSeason(x, season);
        if (Spec.Season == EtsSeasonType.Multiplicative)
        {
            foreach (var s in season)
            {
                if (!(s > 0))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The <c>forecast::ets</c> criterion n·log Σe² + 2·Σlog ŷ at <paramref name="x"/>; +∞ when infeasible.</summary>
    public double Evaluate(ReadOnlySpan<double> x)
    {
        var season = _season.AsSpan();
        if (!IsFeasible(x, season))
        {
            return double.PositiveInfinity;
        }

        var level = x[LevelIndex];
        var trend = TrendIndex >= 0 ? x[TrendIndex] : 0;
        var (sumSquares, sumLog) = EtsRecursion.Run(_y, Spec, Smoothing(x), ref level, ref trend, season, []);
        return EtsRecursion.Criterion(_y.Length, sumSquares, sumLog, _sumSquaresFloor);
    }
}
