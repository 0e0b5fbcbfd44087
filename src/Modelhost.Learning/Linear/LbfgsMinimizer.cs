namespace Modelhost.Learning.Linear;

/// <summary>
/// Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives. Deterministic: a
/// single thread and a fixed order of operations.
/// </summary>
internal static class LbfgsMinimizer
{
    private const int History = 10;
    private const double ArmijoSlope = 1e-4;
    private const double RelativeDecrease = 1e-13;

    /// <summary>The objective: writes the gradient at x into the second argument and returns the value.</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>Minimizes from <paramref name="x"/>, which receives the solution.</summary>
    /// <returns>The iterations taken and whether the gradient tolerance was met.</returns>
    public static (int Iterations, bool Converged) Minimize(
        Objective objective, double[] x, int maxIterations, double tolerance, CancellationToken cancellationToken)
    {
        int n = x.Length;
        var gradient = new double[n];
        var direction = new double[n];
        var candidate = new double[n];
        var candidateGradient = new double[n];
        var s = new double[History][];
        var y = new double[History][];
        var rho = new double[History];
        var alpha = new double[History];
        for (int i = 0; i < History; i++)
        {
            s[i] = new double[n];
            y[i] = new double[n];
        }

        int stored = 0;
        int newest = -1;
        double value = objective(x, gradient);
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (MaxAbs(gradient) <= tolerance)
            {
                return (iteration, true);
            }

            // Two-loop recursion: direction = −H·gradient.
            gradient.CopyTo(direction, 0);
            for (int m = 0; m < stored; m++)
            {
                int j = (newest - m + History) % History;
                alpha[j] = rho[j] * Dot(s[j], direction);
                Axpy(-alpha[j], y[j], direction);
            }

            double gamma = stored > 0 ? Dot(s[newest], y[newest]) / Dot(y[newest], y[newest]) : 1 / Math.Max(1, Norm(gradient));
            for (int i = 0; i < n; i++)
            {
                direction[i] *= gamma;
            }

            for (int m = stored - 1; m >= 0; m--)
            {
                int j = (newest - m + History) % History;
                double beta = rho[j] * Dot(y[j], direction);
                Axpy(alpha[j] - beta, s[j], direction);
            }

            for (int i = 0; i < n; i++)
            {
                direction[i] = -direction[i];
            }

            double slope = Dot(gradient, direction);
            if (!(slope < 0))
            {
                // Not a descent direction (curvature information went stale): restart from steepest descent.
                stored = 0;
                for (int i = 0; i < n; i++)
                {
                    direction[i] = -gradient[i] / Math.Max(1, Norm(gradient));
                }

                slope = Dot(gradient, direction);
            }

            double step = 1;
            double candidateValue = double.NaN;
            bool accepted = false;
            for (int attempt = 0; attempt < 60; attempt++)
            {
                for (int i = 0; i < n; i++)
                {
                    candidate[i] = x[i] + (step * direction[i]);
                }

                candidateValue = objective(candidate, candidateGradient);
                if (candidateValue <= value + (ArmijoSlope * step * slope))
                {
                    accepted = true;
                    break;
                }

                step *= 0.5;
            }

            if (!accepted)
            {
                // No decrease is possible at working precision: x is as good as it gets.
                return (iteration, MaxAbs(gradient) <= tolerance * 100);
            }

            newest = (newest + 1) % History;
            double curvature = 0;
            for (int i = 0; i < n; i++)
            {
                s[newest][i] = candidate[i] - x[i];
                y[newest][i] = candidateGradient[i] - gradient[i];
                curvature += s[newest][i] * y[newest][i];
            }

            if (curvature > 1e-16 * Dot(y[newest], y[newest]))
            {
                rho[newest] = 1 / curvature;
                stored = Math.Min(stored + 1, History);
            }
            else
            {
                // The pair is dropped; the slot it was written to held the oldest pair when the history was full.
                newest = (newest - 1 + History) % History;
                stored = Math.Min(stored, History - 1);
            }

            double decrease = value - candidateValue;
            candidate.CopyTo(x, 0);
            candidateGradient.CopyTo(gradient, 0);
            value = candidateValue;
            if (decrease <= RelativeDecrease * Math.Max(1, Math.Abs(value)))
            {
                return (iteration + 1, MaxAbs(gradient) <= tolerance);
            }
        }

        return (maxIterations, MaxAbs(gradient) <= tolerance);
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));

    private static double MaxAbs(ReadOnlySpan<double> a)
    {
        double max = 0;
        foreach (double v in a)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }
}
