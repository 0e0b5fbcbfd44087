using System.Globalization;
using Modelhost.Learning.Forecasting;

namespace Modelhost.Learning.Tests.Forecasting;

/// <summary>The series fixtures shared with other test projects, and small synthetic series.</summary>
internal static class SeriesFixtures
{
    private static readonly Lazy<TimeSeries> _airPassengers = new(LoadAirPassengers);

    /// <summary>Box and Jenkins' monthly airline passengers, 1949–1960 (144 months), as R's AirPassengers.</summary>
    public static TimeSeries AirPassengers => _airPassengers.Value;

    public static double[] AirPassengerValues => [.. AirPassengers.Values];

    /// <summary>One index of the EU stock markets fixture (trading days, 1991–1998).</summary>
    public static TimeSeries EuStockMarket(string key)
    {
        var timestamps = new List<DateTime>();
        var values = new List<double>();
        foreach (var line in File.ReadLines(FixturePath("eu_stock_markets.csv")).Skip(1))
        {
            var parts = line.Split(',');
            if (parts[0] != key)
            {
                continue;
            }

            timestamps.Add(DateTime.ParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture));
            values.Add(double.Parse(parts[2], CultureInfo.InvariantCulture));
        }

        return new TimeSeries(key, timestamps, values);
    }

    /// <summary>Normal noise from a fixed seed, so synthetic series are the same on every run.</summary>
    public static double[] Noise(int count, double sd, int seed)
    {
        var random = new Random(seed);
        var noise = new double[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1 - random.NextDouble();
            var u2 = random.NextDouble();
            noise[i] = sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        return noise;
    }

    private static TimeSeries LoadAirPassengers()
    {
        var timestamps = new List<DateTime>();
        var values = new List<double>();
        foreach (var line in File.ReadLines(FixturePath("air_passengers.csv")).Skip(1))
        {
            var parts = line.Split(',');
            timestamps.Add(DateTime.ParseExact(parts[0], "yyyy-MM", CultureInfo.InvariantCulture));
            values.Add(double.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        return new TimeSeries("AirPassengers", timestamps, values);
    }

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "series", name);
}
