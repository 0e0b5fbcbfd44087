using Microsoft.Data.Sqlite;
using Modelhost.Workflows.Data;

namespace Modelhost.Workflows.Tests;

public sealed class SqliteInterrupterTests
{
    private const int SqliteInterrupted = 9;

    private const string Endless = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r";

    [Fact]
    public async Task A_cancel_that_comes_before_the_statement_starts_still_stops_it()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        // sqlite3_interrupt on an idle connection is forgotten; only the progress handler can see this cancel.
        // The deadline is far off but not endless, so a failing run does not spin forever.
        await using (var interrupter = new SqliteInterrupter(connection, TimeSpan.FromSeconds(60), cancel.Token))
        {
            using var command = connection.CreateCommand();
            command.CommandText = Endless;
            var running = Task.Run(command.ExecuteScalar);
            var error = await Assert.ThrowsAsync<SqliteException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(SqliteInterrupted, error.SqliteErrorCode);
            Assert.False(interrupter.TimedOut);
        }

        // Once the interrupter is gone, the connection runs statements again.
        using var next = connection.CreateCommand();
        next.CommandText = "SELECT 1";
        Assert.Equal(1L, next.ExecuteScalar());
    }

    [Fact]
    public async Task A_cancel_while_the_statement_runs_stops_it()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        using var cancel = new CancellationTokenSource();
        await using var interrupter = new SqliteInterrupter(connection, TimeSpan.FromSeconds(60), cancel.Token);
        using var command = connection.CreateCommand();
        command.CommandText = Endless;
        using var started = new SemaphoreSlim(0);
        var running = Task.Run(() =>
        {
            started.Release();
            return command.ExecuteScalar();
        });
        await started.WaitAsync();
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<SqliteException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(SqliteInterrupted, error.SqliteErrorCode);
    }
}
