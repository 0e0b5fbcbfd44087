using System.Diagnostics;

namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of one test's own, made by eng/postgres.sh in a directory of its own (MODELHOST_PG_DIR), so that
/// stopping and starting it (the "database down" fault) leaves the cluster the other tests share alone.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _directory;

    private PrivatePostgres(string directory, string connectionString)
    {
        _directory = directory;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "modelhost-pg-private-" + Guid.NewGuid().ToString("N")[..12]);
        var output = await RunAsync(directory, "start");
        const string prefix = "export MODELHOST_TEST_POSTGRES='";
        var line = output.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return new PrivatePostgres(directory, line[prefix.Length..].TrimEnd('\'', '\r'));
    }

    /// <summary>Stops the server (fast shutdown: sessions are ended), keeping its files.</summary>
    public Task PauseAsync() => RunAsync(_directory, "pause");

    /// <summary>Starts the stopped server again on the same port.</summary>
    public Task ResumeAsync() => RunAsync(_directory, "resume");

    public async ValueTask DisposeAsync() => await RunAsync(_directory, "stop");

    private static async Task<string> RunAsync(string directory, string command)
    {
        var start = new ProcessStartInfo("bash", [Script(), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MODELHOST_PG_DIR"] = directory;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(limit.Token);
        Assert.True(process.ExitCode == 0, $"eng/postgres.sh {command} failed: {await stderr}");
        return await stdout;
    }

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "eng", "postgres.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("eng/postgres.sh was not found above " + AppContext.BaseDirectory);
    }
}
