using Modelhost.Learning.Data;

namespace Modelhost.Learning.Tests;

/// <summary>The iris and wine CSV files shared by the tests, and generated datasets.</summary>
internal static class TabularFixtures
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures", "tabular");

    public static string IrisPath => Path.Combine(Directory, "iris.csv");

    public static string WinePath => Path.Combine(Directory, "wine.csv");

    public static TabularDataset Iris() => TabularDataset.LoadCsv(IrisPath, "species");

    public static TabularDataset Wine() => TabularDataset.LoadCsv(WinePath, "cultivar");

    /// <summary>Wine with the alcohol content as a regression target (the cultivar becomes a feature).</summary>
    public static TabularDataset WineAlcohol() => TabularDataset.LoadCsv(WinePath, "alcohol", TargetKind.Regression);

    /// <summary>y = sin(x0) + x1² + noise, with x uniform in [-3, 3] and a third, irrelevant feature.</summary>
    public static TabularDataset SineAndSquare(int rows, int seed, double noise = 0.1)
    {
        var random = new Random(seed);
        var x = new double[rows * 3];
        var y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double x0 = (random.NextDouble() * 6) - 3;
            double x1 = (random.NextDouble() * 6) - 3;
            x[i * 3] = x0;
            x[(i * 3) + 1] = x1;
            x[(i * 3) + 2] = random.NextDouble();
            y[i] = Math.Sin(x0) + (x1 * x1) + (noise * Gaussian(random));
        }

        return TabularDataset.CreateRegression(x, 3, y, ["x0", "x1", "unused"], "y");
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
