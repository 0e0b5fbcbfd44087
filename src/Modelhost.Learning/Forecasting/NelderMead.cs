namespace Modelhost.Learning.Forecasting;

/// <summary>
/// The Nelder–Mead simplex search with the dimension-adaptive coefficients of Gao and Han (2012), which keep it from
/// stalling in the 10–20 dimensions of a seasonal ETS fit, and restarts from the best point (a collapsed simplex is
/// the method's usual failure; a fresh one around the same point either confirms the minimum or escapes).
/// Infeasible points are +∞ and simply lose every comparison.
/// </summary>
internal static class NelderMead
{
    /// <summary>Minimizes <paramref name="f"/> from <paramref name="start"/>, which must be feasible, with initial simplex edges <paramref name="steps"/>.</summary>
    public static NelderMeadResult Minimize(
        ObjectiveFunction f,
        ReadOnlySpan<double> start,
        ReadOnlySpan<double> steps,
        NelderMeadSettings settings,
        CancellationToken cancellationToken)
    {
        var best = start.ToArray();
        var fBest = f(best);
        var evaluations = 1;
        if (!double.IsFinite(fBest) || best.Length == 0)
        {
            return new NelderMeadResult(best, fBest, evaluations);
        }

        for (var run = 0; run <= settings.MaxRestarts && evaluations < settings.MaxEvaluations; run++)
        {
            var before = fBest;
            Run(f, best, ref fBest, steps, settings, ref evaluations, cancellationToken);
            var improved = before - fBest > settings.RelativeTolerance * (Math.Abs(before) + settings.RelativeTolerance);
            if (run > 0 && !improved)
            {
                break;
            }
        }

        return new NelderMeadResult(best, fBest, evaluations);
    }

    private static void Run(
        ObjectiveFunction f,
        double[] best,
        ref double fBest,
        ReadOnlySpan<double> steps,
        NelderMeadSettings settings,
        ref int evaluations,
        CancellationToken cancellationToken)
    {
        var d = best.Length;
        double reflect = 1, expand = 2, contract = 0.5, shrink = 0.5;
        if (d >= 2)
        {
            expand = 1 + (2.0 / d);
            contract = 0.75 - (0.5 / d);
            shrink = 1 - (1.0 / d);
        }

        var simplex = new double[(d + 1) * d];
        var values = new double[d + 1];
        var order = new int[d + 1];
        var centroid = new double[d];
        var trial = new double[d];
        var trial2 = new double[d];

        best.CopyTo(simplex, 0);
        values[0] = fBest;
        for (var i = 0; i < d; i++)
        {
            var vertex = simplex.AsSpan((i + 1) * d, d);
            best.CopyTo(vertex);
            var step = steps[i];
            var value = double.PositiveInfinity;
            // Step away from a bound that the forward edge crosses: try the other direction, then shorter edges.
            for (var attempt = 0; attempt < 8 && !double.IsFinite(value); attempt++)
            {
                vertex[i] = best[i] + ((attempt % 2 == 0 ? 1 : -1) * step);
                value = f(vertex);
                evaluations++;
                if (attempt % 2 == 1)
                {
                    step *= 0.25;
                }
            }

            values[i + 1] = value;
        }

        var iteration = 0;
        while (evaluations < settings.MaxEvaluations)
        {
            if ((++iteration & 63) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            SortIndices(values, order);
            var lo = order[0];
            var hi = order[d];
            var secondHi = order[d - 1];
            var fLo = values[lo];
            var fHi = values[hi];
            if (fHi - fLo <= settings.RelativeTolerance * (Math.Abs(fLo) + settings.RelativeTolerance))
            {
                break;
            }

            centroid.AsSpan().Clear();
            for (var v = 0; v <= d; v++)
            {
                if (v == hi)
                {
                    continue;
                }

                var vertex = simplex.AsSpan(v * d, d);
                for (var i = 0; i < d; i++)
                {
                    centroid[i] += vertex[i];
                }
            }

            for (var i = 0; i < d; i++)
            {
                centroid[i] /= d;
            }

            var worst = simplex.AsSpan(hi * d, d);
            Along(centroid, worst, -reflect, trial);
            var fReflect = f(trial);
            evaluations++;

            if (fReflect < fLo)
            {
                Along(centroid, worst, -reflect * expand, trial2);
                var fExpand = f(trial2);
                evaluations++;
                if (fExpand < fReflect)
                {
                    Accept(trial2, fExpand, worst, values, hi);
                }
                else
                {
                    Accept(trial, fReflect, worst, values, hi);
                }
            }
            else if (fReflect < values[secondHi])
            {
                Accept(trial, fReflect, worst, values, hi);
            }
            else
            {
                bool accepted;
                if (fReflect < fHi)
                {
                    Along(centroid, worst, -reflect * contract, trial2);
                    var fContract = f(trial2);
                    evaluations++;
                    accepted = fContract <= fReflect;
                    if (accepted)
                    {
                        Accept(trial2, fContract, worst, values, hi);
                    }
                }
                else
                {
                    Along(centroid, worst, contract, trial2);
                    var fContract = f(trial2);
                    evaluations++;
                    accepted = fContract < fHi;
                    if (accepted)
                    {
                        Accept(trial2, fContract, worst, values, hi);
                    }
                }

                if (!accepted)
                {
                    var bestVertex = simplex.AsSpan(lo * d, d);
                    for (var v = 0; v <= d; v++)
                    {
                        if (v == lo)
                        {
                            continue;
                        }

                        var vertex = simplex.AsSpan(v * d, d);
                        for (var i = 0; i < d; i++)
                        {
                            vertex[i] = bestVertex[i] + (shrink * (vertex[i] - bestVertex[i]));
                        }

                        values[v] = f(vertex);
                        evaluations++;
                    }
                }
            }
        }

        var bestIndex = 0;
        for (var v = 1; v <= d; v++)
        {
            if (values[v] < values[bestIndex])
            {
                bestIndex = v;
            }
        }

        if (values[bestIndex] < fBest)
        {
            fBest = values[bestIndex];
            simplex.AsSpan(bestIndex * d, d).CopyTo(best);
        }
    }

    /// <summary>result = centroid + t·(vertex − centroid): t = −1 reflects the vertex through the centroid.</summary>
    private static void Along(ReadOnlySpan<double> centroid, ReadOnlySpan<double> vertex, double t, Span<double> result)
    {
        for (var i = 0; i < centroid.Length; i++)
        {
            result[i] = centroid[i] + (t * (vertex[i] - centroid[i]));
        }
    }

    private static void Accept(ReadOnlySpan<double> point, double value, Span<double> vertex, double[] values, int index)
    {
        point.CopyTo(vertex);
        values[index] = value;
    }

    /// <summary>Insertion sort of vertex indices by value; NaN never occurs because infeasible points are +∞.</summary>
    private static void SortIndices(double[] values, int[] order)
    {
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        for (var i = 1; i < order.Length; i++)
        {
            var key = order[i];
            var j = i - 1;
            while (j >= 0 && values[order[j]] > values[key])
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = key;
        }
    }
}
