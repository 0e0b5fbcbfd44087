using Modelhost.Jobs;
using Modelhost.Workflows.Data;

namespace Modelhost.Tests;

[Trait("Category", "Slow")]
public sealed class DataCommandTests : IDisposable
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(120);
    private readonly string _dir;
    private readonly string _data;

    public DataCommandTests()
    {
        _dir = Path.Combine(Path.GetTempPath(), "modelhost-data-tests", Guid.NewGuid().ToString("N"));
        _data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Series => Path.Combine(AppContext.BaseDirectory, "fixtures", "series", "eu_stock_markets.csv");

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        using var process = CliProcess.Start(["data", .. args]);
        var exit = await process.WaitForExitAsync(_timeout);
        return (exit, process.Output);
    }

    private async Task<long> CountAsync(string select)
    {
        var data = new DataConnection(DatabaseLocator.Locate(_data, null));
        await using var query = await data.QueryAsync(select);
        Assert.True(await query.ReadAsync());
        return Convert.ToInt64(query.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Import_loads_every_series_into_the_observations_table_and_replaces_them_when_run_again()
    {
        var (exit, output) = await RunAsync("import", Series, "--data-dir", _data);
        Assert.True(exit == 0, output);
        Assert.Contains("imported 7440 observations of 4 series (DE, CH, FR, GB)", output, StringComparison.Ordinal);
        Assert.Equal(1860, await CountAsync("SELECT COUNT(*) FROM observations WHERE series_key = 'DE'"));

        (exit, output) = await RunAsync("import", Series, "--data-dir", _data);
        Assert.True(exit == 0, output);
        Assert.Equal(7440, await CountAsync("SELECT COUNT(*) FROM observations"));
    }

    [Fact]
    public async Task Import_writes_to_the_table_and_columns_the_config_names()
    {
        var config = Write("modelhost.yaml", $"""
            jobs:
              data_dir: {_data}
            forecasting:
              observations: {"{"}table: daily_close, key_column: market, time_column: day, value_column: close_price{"}"}
            """);

        var (exit, output) = await RunAsync("import", Series, "--config", config);

        Assert.True(exit == 0, output);
        Assert.Equal(1860, await CountAsync("SELECT COUNT(*) FROM daily_close WHERE market = 'GB' AND close_price > 0"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM daily_close WHERE market = 'GB' AND day = '1991-07-01T00:00:00'"));
    }

    [Theory]
    [InlineData("forecasting:\n  observations: {table: 'bad name'}\n", "forecasting.observations.table: 'bad name' is not a valid table or column name")]
    [InlineData("forecasting:\n  observations: {tabel: x}\n", "unknown key 'forecasting.observations.tabel'")]
    [InlineData("forecasting:\n  predictions_table: observations\n", "forecasting.predictions_table must differ")]
    [InlineData("forecasting:\n  observations: {time_column: v, value_column: v}\n", "three different columns")]
    public async Task Import_refuses_a_config_with_bad_table_names_and_names_the_key(string yaml, string message)
    {
        var config = Write("bad.yaml", yaml);

        var (exit, output) = await RunAsync("import", Series, "--data-dir", _data, "--config", config);

        Assert.Equal(1, exit);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, DatabaseLocator.SqliteFileName)));
    }

    [Fact]
    public async Task Import_of_a_missing_file_or_bad_rows_fails_with_one_line()
    {
        var (exit, output) = await RunAsync("import", Path.Combine(_dir, "nope.csv"), "--data-dir", _data);
        Assert.Equal(1, exit);
        Assert.Contains("does not exist", output, StringComparison.Ordinal);

        var bad = Write("bad.csv", "series_key,ts,value\nDE,2020-01-01,1\nDE,2020-01-02,abc\n");
        (exit, output) = await RunAsync("import", bad, "--data-dir", _data);
        Assert.Equal(1, exit);
        Assert.Contains("bad.csv", output, StringComparison.Ordinal);
        Assert.Contains("Row 2 (line 3), column 'value'", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
