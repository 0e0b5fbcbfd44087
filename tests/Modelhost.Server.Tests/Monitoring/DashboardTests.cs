using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Monitoring;

/// <summary>The Grafana dashboard in deploy/grafana queries metrics the server exports, in PromQL that parses.</summary>
public sealed partial class DashboardTests
{
    private static readonly string DashboardPath = Path.Combine(RepositoryRoot(), "deploy", "grafana", "modelhost-dashboard.json");

    [Fact]
    public async Task Every_dashboard_query_is_valid_PromQL_over_metrics_the_server_exports()
    {
        var expressions = Expressions();
        Assert.True(expressions.Count >= 8, "the dashboard has too few queries");

        using var repository = MetricsTests.ScaleRepository();
        await using var server = await RunningServer.StartAsync(repository.Root);
        await server.PostJsonOkAsync("/v2/models/scale/infer", MetricsTests.Row(1));
        using (await server.PostJsonAsync("/v2/models/scale/infer", MetricsTests.BadShape))
        {
        }

        var metrics = await MetricsTests.ScrapeAsync(server.Client);
        foreach (var expression in expressions)
        {
            foreach (Match name in MetricName().Matches(expression))
            {
                var family = Regex.Replace(name.Value, "_(bucket|count|sum)$", "");
                Assert.True(metrics.Types.ContainsKey(family) || metrics.Types.ContainsKey(name.Value), $"{name.Value} in '{expression}' is not exported");
            }
        }

        // promtool parses every expression as a recording rule, with Grafana's variables filled in.
        var rules = Path.Combine(Path.GetTempPath(), $"modelhost-dashboard-{Guid.NewGuid():N}.yml");
        try
        {
            var lines = new List<string> { "groups:", "  - name: dashboard", "    rules:" };
            for (var i = 0; i < expressions.Count; i++)
            {
                var expr = expressions[i].Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$model", ".*", StringComparison.Ordinal);
                lines.Add($"      - record: dashboard:query{i}");
                lines.Add($"        expr: {JsonSerializer.Serialize(expr)}");
            }

            await File.WriteAllLinesAsync(rules, lines);
            using var promtool = Process.Start(new ProcessStartInfo("promtool", ["check", "rules", rules]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
            await promtool.WaitForExitAsync();
            Assert.True(promtool.ExitCode == 0, output);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    private static List<string> Expressions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var expressions = new List<string>();
        foreach (var panel in document.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                expressions.Add(target.GetProperty("expr").GetString()!);
            }
        }

        return expressions;
    }

    /// <summary>The directory holding Modelhost.slnx, above the test's output.</summary>
    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Modelhost.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("the repository root was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\b(nv_inference|modelhost|http_server|kestrel|dotnet)_[a-z_]+\b")]
    private static partial Regex MetricName();
}
