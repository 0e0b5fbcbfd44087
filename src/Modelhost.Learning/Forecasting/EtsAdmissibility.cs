namespace Modelhost.Learning.Forecasting;

/// <summary>
/// The admissible (forecastable) region of Hyndman et al. (2008, ch. 10): the discount matrix D = F − g·w′ must have
/// its eigenvalues inside the unit circle so that old observations fade out of the states.
/// </summary>
/// <remarks>
/// By the matrix determinant lemma det(I − D·L) equals the moving-average polynomial θ(L) of the model's ARIMA form,
/// so the check is that θ has all its roots outside the unit circle. For the additive-season state layout
/// (level, trend, m seasonal states) θ(L) is
/// (1−L)(1−φL)(1−Lᵐ) + L(α + φβ − αφL)(1−Lᵐ) + γLᵐ(1−L)(1−φL), which always has the root L = 1 that the seasonal
/// states' redundancy puts there (adding c to the level and −c to every seasonal state changes no forecast). That root
/// is divided out. The test is the Schur–Cohn step-down recursion on the coefficients: O(m²) and no complex roots.
/// The same region is used for multiplicative components, as <c>forecast::ets</c> does.
/// </remarks>
internal static class EtsAdmissibility
{
    /// <summary>Whether the parameters give a forecastable model with seasonal period <paramref name="m"/> (1 when non-seasonal).</summary>
    public static bool IsAdmissible(EtsSpec spec, EtsSmoothing p, int m)
    {
        var alpha = p.Alpha;
        var beta = spec.HasTrend ? p.Beta : 0.0;
        var phi = spec.HasTrend ? p.Phi : 0.0;
        if (!spec.HasSeason || m < 2)
        {
            Span<double> c = stackalloc double[3];
            c[0] = 1;
            c[1] = alpha + (phi * beta) - 1 - phi;
            c[2] = phi * (1 - alpha);
            return RootsOutsideUnitCircle(c);
        }

        var gamma = p.Gamma;
        var buffer = m + 2 <= 128 ? stackalloc double[m + 2] : new double[m + 2];
        var coefficients = buffer[..(m + 2)];
        var middle = alpha + (phi * beta) - (alpha * phi);
        coefficients[0] = 1;
        coefficients[1] = alpha + (phi * beta) - phi;
        for (var k = 2; k < m; k++)
        {
            coefficients[k] = middle;
        }

        coefficients[m] = middle - 1 + gamma;
        coefficients[m + 1] = phi * (1 - alpha - gamma);
        return RootsOutsideUnitCircle(coefficients);
    }

    /// <summary>
    /// Whether 1 + c₁L + … + cₙLⁿ has every root strictly outside the unit circle: the step-down (Schur–Cohn) recursion
    /// turns the coefficients into reflection coefficients, all of which must lie in (−1, 1). Overwrites the span.
    /// </summary>
    internal static bool RootsOutsideUnitCircle(Span<double> c)
    {
        var n = c.Length - 1;
        while (n > 0 && c[n] == 0)
        {
            n--;
        }

        for (var order = n; order >= 1; order--)
        {
            var k = c[order];
            if (!(Math.Abs(k) < 1))
            {
                return false;
            }

            var scale = 1 / (1 - (k * k));
            // Pairs (i, order − i) are updated together so the recursion can run in place.
            for (int i = 1, j = order - 1; i <= j; i++, j--)
            {
                var ci = c[i];
                var cj = c[j];
                c[i] = (ci - (k * cj)) * scale;
                if (i != j)
                {
                    c[j] = (cj - (k * ci)) * scale;
                }
            }
        }

        return true;
    }
}
