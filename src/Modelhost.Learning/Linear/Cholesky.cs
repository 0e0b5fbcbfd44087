namespace Modelhost.Learning.Linear;

/// <summary>Solves a symmetric positive definite system A·x = b by Cholesky factorization.</summary>
internal static class Cholesky
{
    /// <summary>Solves in place: <paramref name="a"/> (row-major n×n, upper triangle read) is overwritten by its factor.</summary>
    /// <returns>False when A is not positive definite (to working precision).</returns>
    public static bool TrySolve(double[] a, int n, double[] b, out double[] x)
    {
        x = new double[n];
        double largestDiagonal = 0;
        for (int i = 0; i < n; i++)
        {
            largestDiagonal = Math.Max(largestDiagonal, a[(i * n) + i]);
        }

        // A = L·Lᵀ, with L stored in the lower triangle.
        for (int j = 0; j < n; j++)
        {
            double diagonal = a[(j * n) + j];
            for (int k = 0; k < j; k++)
            {
                diagonal -= a[(j * n) + k] * a[(j * n) + k];
            }

            if (!(diagonal > 1e-12 * largestDiagonal))
            {
                return false;
            }

            double pivot = Math.Sqrt(diagonal);
            a[(j * n) + j] = pivot;
            for (int i = j + 1; i < n; i++)
            {
                double sum = a[(j * n) + i];
                for (int k = 0; k < j; k++)
                {
                    sum -= a[(i * n) + k] * a[(j * n) + k];
                }

                a[(i * n) + j] = sum / pivot;
            }
        }

        // L·z = b, then Lᵀ·x = z.
        var z = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= a[(i * n) + k] * z[k];
            }

            z[i] = sum / a[(i * n) + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double sum = z[i];
            for (int k = i + 1; k < n; k++)
            {
                sum -= a[(k * n) + i] * x[k];
            }

            x[i] = sum / a[(i * n) + i];
        }

        return true;
    }
}
