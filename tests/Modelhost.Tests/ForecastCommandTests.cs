using System.Globalization;
using System.Text.Json;

namespace Modelhost.Tests;

[Trait("Category", "Slow")]
public sealed class ForecastCommandTests : IDisposable
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(120);
    private readonly string _dir;

    public ForecastCommandTests()
    {
        _dir = Path.Combine(Path.GetTempPath(), "modelhost-forecast-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "series", name);

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        using var process = CliProcess.Start(["forecast", .. args]);
        var exit = await process.WaitForExitAsync(_timeout);
        return (exit, process.Output);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Air_passengers_prints_the_method_and_a_dated_table_of_forecasts_and_intervals()
    {
        var (exit, output) = await RunAsync("--data", Fixture("air_passengers.csv"), "--horizon", "12");

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("air_passengers: ETS(M,", lines[0], StringComparison.Ordinal);
        Assert.Contains(",M), 144 observations, monthly, period 12", lines[0], StringComparison.Ordinal);
        Assert.Equal(["timestamp", "forecast", "lo", "80", "hi", "80", "lo", "95", "hi", "95"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(14, lines.Length);
        for (var h = 0; h < 12; h++)
        {
            var cells = lines[2 + h].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(new DateTime(1961, 1, 1).AddMonths(h).ToString("yyyy-MM", CultureInfo.InvariantCulture), cells[0]);
            var numbers = cells[1..].Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            // lo 95 ≤ lo 80 ≤ forecast ≤ hi 80 ≤ hi 95
            Assert.True(numbers[3] <= numbers[1] && numbers[1] <= numbers[0] && numbers[0] <= numbers[2] && numbers[2] <= numbers[4], lines[2 + h]);
        }

        // forecast(ets(AirPassengers), h = 12)$mean[1] is 441.80 in R.
        Assert.InRange(double.Parse(lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture), 430, 455);
    }

    [Fact]
    public async Task Json_for_one_series_of_a_long_file_has_forecasts_intervals_and_business_day_timestamps()
    {
        var (exit, output) = await RunAsync("--data", Fixture("eu_stock_markets.csv"), "--series", "DE", "--horizon", "5", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        var series = Assert.Single(doc.RootElement.GetProperty("series").EnumerateArray());
        Assert.Equal("DE", series.GetProperty("key").GetString());
        Assert.StartsWith("ETS(", series.GetProperty("method").GetString(), StringComparison.Ordinal);
        double[] Numbers(string name) => [.. series.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())];
        var mean = Numbers("forecast");
        var lo80 = Numbers("lower80");
        var hi80 = Numbers("upper80");
        var lo95 = Numbers("lower95");
        var hi95 = Numbers("upper95");
        Assert.Equal(5, mean.Length);
        for (var h = 0; h < 5; h++)
        {
            Assert.True(lo95[h] <= lo80[h] && lo80[h] <= mean[h] && mean[h] <= hi80[h] && hi80[h] <= hi95[h]);
            Assert.InRange(mean[h], 4500, 6500);
        }

        // The fixture's last DE row is Friday 1998-08-14; trading days follow.
        Assert.Equal(
            ["1998-08-17", "1998-08-18", "1998-08-19", "1998-08-20", "1998-08-21"],
            series.GetProperty("timestamps").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Without_series_every_series_of_the_file_is_forecast()
    {
        var (exit, output) = await RunAsync("--data", Fixture("eu_stock_markets.csv"), "--horizon", "2", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(["DE", "CH", "FR", "GB"], doc.RootElement.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task A_given_period_is_used_and_period_1_fits_without_a_season()
    {
        var (exit, output) = await RunAsync("--data", Fixture("air_passengers.csv"), "--horizon", "3", "--period", "1");

        Assert.Equal(0, exit);
        Assert.Contains("period 1", output, StringComparison.Ordinal);
        Assert.Matches(@"ETS\([AM],(N|A|Ad),N\)", output);
    }

    [Theory]
    [InlineData("series_key,ts,value\nA,2020-01-01,1\nA,2020-01-02,abc\n", "Row 2 (line 3), column 'value': not a number")]
    [InlineData("series_key,ts,value\nA,2020-01-01,1\nA,2020-01-02,\n", "Row 2 (line 3), column 'value': the value is missing")]
    [InlineData("month,passengers\n1949-01,112\n1949-13,118\n", "Row 2 (line 3), column 'month': not a timestamp")]
    public async Task Bad_data_exits_1_with_one_error_naming_the_row_and_column(string text, string expected)
    {
        var (exit, output) = await RunAsync("--data", Write("bad.csv", text), "--horizon", "3");

        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: bad.csv: {expected}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_series_too_short_for_its_period_is_an_error_that_names_it()
    {
        var rows = string.Concat(Enumerable.Range(0, 20).Select(i => $"s,{new DateTime(2020, 1, 1).AddMonths(i):yyyy-MM},{100 + i}\n"));
        var path = Write("short.csv", "series_key,ts,value\n" + rows);

        var (exit, output) = await RunAsync("--data", path, "--horizon", "3");

        Assert.Equal(1, exit);
        Assert.Contains("series 's' has 20 observations, too short for its period 12", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);

        (exit, output) = await RunAsync("--data", path, "--horizon", "3", "--period", "4");
        Assert.Equal(0, exit);
        Assert.Contains("period 4", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_series_of_one_observation_is_an_error_in_words_without_the_learners_parameter_name()
    {
        var (exit, output) = await RunAsync("--data", Write("one.csv", "series_key,ts,value\nT1,2024-01-01,5\n"), "--horizon", "3");

        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: Series 'T1' has 1 observations; ETS needs at least 7.", line);
    }

    [Fact]
    public async Task An_unknown_series_or_a_bad_horizon_exits_1_with_a_clear_message()
    {
        var (exit, output) = await RunAsync("--data", Fixture("eu_stock_markets.csv"), "--series", "SMI", "--horizon", "3");
        Assert.Equal(1, exit);
        Assert.Contains("has no series 'SMI'; its series: DE, CH, FR, GB", output, StringComparison.Ordinal);

        (exit, output) = await RunAsync("--data", Fixture("air_passengers.csv"), "--horizon", "0");
        Assert.Equal(1, exit);
        Assert.Contains("--horizon must be from 1", output, StringComparison.Ordinal);

        (exit, output) = await RunAsync("--data", Path.Combine(_dir, "missing.csv"), "--horizon", "3");
        Assert.Equal(1, exit);
        Assert.Contains("does not exist", output, StringComparison.Ordinal);
    }
}
