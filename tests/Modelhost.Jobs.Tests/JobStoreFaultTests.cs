using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Modelhost.Jobs.Tests.Infrastructure;
using Modelhost.Jobs.Workers;
using Xunit.Abstractions;

namespace Modelhost.Jobs.Tests;

/// <summary>
/// The job store fails loudly and loses nothing: while its database cannot be written, requests fail with
/// <see cref="JobErrorKind.Unavailable"/> (never a silent success), and it recovers on its own when the database is back.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class JobStoreFaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper _output;

    public JobStoreFaultTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task A_deleted_SQLite_file_makes_the_store_unavailable_and_is_not_recreated_until_a_copy_of_it_comes_back()
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
        db.LoggerFactory = TestOutputLoggerProvider.Factory(_output);
        var store = await db.OpenStoreAsync();
        var path = new SqliteConnectionStringBuilder(db.Location.ConnectionString).DataSource;
        var first = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var backup = path + ".backup";
        await using (var source = new SqliteConnection(db.Location.ConnectionString))
        await using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = backup, Pooling = false }.ConnectionString))
        {
            source.Open();
            source.BackupDatabase(target);
        }

        SqliteConnection.ClearAllPools();
        File.Delete(path);

        var refused = await Assert.ThrowsAsync<JobException>(() => store.SubmitAsync(new JobSubmission { Kind = "train" }));
        Assert.Equal(JobErrorKind.Unavailable, refused.Kind);
        Assert.Contains("deleted", refused.Message, StringComparison.Ordinal);
        Assert.False(store.Health.Available);
        Assert.Contains(path, store.Health.Reason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<JobException>(() => store.GetAsync(first.Id));
        Assert.False(File.Exists(path), "the store recreated its deleted file, empty");

        // The operator puts a copy of the store back: the store takes it (same store id) without a restart.
        File.Copy(backup, path);
        var second = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        Assert.True(store.Health.Available);
        Assert.Equal(first.Id, (await store.GetAsync(first.Id))!.Id);
        Assert.True(second.Id > first.Id);
    }

    [Fact]
    public async Task A_SQLite_file_replaced_by_another_store_is_refused_with_the_reason()
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
        await using var other = await TestDatabase.CreateAsync(Backend.Sqlite);
        var store = await db.OpenStoreAsync();
        var otherStore = await other.OpenStoreAsync();
        await otherStore.SubmitAsync(new JobSubmission { Kind = "train" });
        await otherStore.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Assert.NotEqual(store.StoreId, otherStore.StoreId);

        var path = new SqliteConnectionStringBuilder(db.Location.ConnectionString).DataSource;
        var otherPath = new SqliteConnectionStringBuilder(other.Location.ConnectionString).DataSource;
        File.Copy(otherPath, path + ".new");
        File.Move(path + ".new", path, overwrite: true);

        var refused = await Assert.ThrowsAsync<JobException>(() => store.SubmitAsync(new JobSubmission { Kind = "train" }));
        Assert.Equal(JobErrorKind.Unavailable, refused.Kind);
        Assert.Contains("another job store", refused.Message, StringComparison.Ordinal);
        Assert.Contains(otherStore.StoreId, store.Health.Reason, StringComparison.Ordinal);
    }

    [ImmutableFilesFact]
    public async Task A_read_only_SQLite_database_refuses_submissions_and_the_store_recovers_when_it_is_writable_again()
    {
        await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
        db.LoggerFactory = TestOutputLoggerProvider.Factory(_output);
        var store = await db.OpenStoreAsync();
        await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var path = new SqliteConnectionStringBuilder(db.Location.ConnectionString).DataSource;
        // Not the -shm file: SQLite maps it into memory, and a write to an immutable mapping is a SIGBUS, not an error.
        string[] files = [path, path + "-wal", Path.GetDirectoryName(path)!];
        FileFaults.SetImmutable(true, files);
        try
        {
            var refused = await Assert.ThrowsAsync<JobException>(() => store.SubmitAsync(new JobSubmission { Kind = "train" }));
            Assert.Equal(JobErrorKind.Unavailable, refused.Kind);
            Assert.False(store.Health.Available);
        }
        finally
        {
            FileFaults.SetImmutable(false, files);
        }

        var after = await Eventually.WaitForAsync(
            async () =>
            {
                try
                {
                    return await store.SubmitAsync(new JobSubmission { Kind = "train" });
                }
                catch (JobException ex) when (ex.Kind == JobErrorKind.Unavailable)
                {
                    return null;
                }
            },
            j => j is not null,
            "a submission to work again",
            Bound);
        Assert.True(store.Health.Available);
        var page = await store.ListAsync(new JobFilter { Limit = 10 });
        Assert.Equal(2, page.Jobs.Count);
        Assert.Equal(after!.Id, page.Jobs[0].Id);
    }

    [PostgresFact]
    public async Task PostgreSQL_stopped_and_started_refuses_while_down_recovers_by_itself_and_runs_every_job_once()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var location = new JobDatabaseLocation(JobDatabaseProvider.Postgres, postgres.ConnectionString);
        await using var store = await JobStore.OpenAsync(location, loggerFactory: TestOutputLoggerProvider.Factory(_output));
        var runs = new ConcurrentDictionary<long, int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler("work", async (context, ct) =>
        {
            runs.AddOrUpdate(context.Job.Id, 1, (_, n) => n + 1);
            if (context.Job.Payload.GetProperty("hold").GetBoolean())
            {
                await gate.Task.WaitAsync(ct);
                heldDone.TrySetResult();
            }

            return new JsonObject { ["ok"] = true };
        });
        var options = new JobWorkerOptions
        {
            LeaseDuration = TimeSpan.FromSeconds(30),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            PollInterval = TimeSpan.FromMilliseconds(100),
        };
        options.Queues[JobQueues.Training] = 2;
        options.Queues[JobQueues.Prediction] = 0;
        await using var pool = new JobWorkerPool(store, [handler], options);
        await pool.StartAsync(default);

        var acknowledged = new List<long>();
        var held = await store.SubmitAsync(new JobSubmission { Kind = "work", Payload = new JsonObject { ["hold"] = true } });
        acknowledged.Add(held.Id);
        for (var i = 0; i < 3; i++)
        {
            acknowledged.Add((await store.SubmitAsync(new JobSubmission { Kind = "work", Payload = new JsonObject { ["hold"] = false } })).Id);
        }

        await Eventually.WaitForAsync(() => Task.FromResult(runs.ContainsKey(held.Id)), r => r, "the held job to start", Bound);
        await postgres.PauseAsync();

        var refused = await Assert.ThrowsAsync<JobException>(() => store.SubmitAsync(new JobSubmission { Kind = "work", Payload = new JsonObject { ["hold"] = false } }));
        Assert.Equal(JobErrorKind.Unavailable, refused.Kind);
        Assert.False(store.Health.Available);

        // The held job finishes while the database is down: its worker keeps trying to record the outcome.
        gate.SetResult();
        await heldDone.Task.WaitAsync(Bound);
        await postgres.ResumeAsync();

        await Eventually.WaitForAsync(() => Task.FromResult(store.Health.Available), a => a, "the store to recover on its own", Bound);
        for (var i = 0; i < 3; i++)
        {
            acknowledged.Add((await store.SubmitAsync(new JobSubmission { Kind = "work", Payload = new JsonObject { ["hold"] = false } })).Id);
        }

        foreach (var id in acknowledged)
        {
            await Eventually.StateAsync(store, id, JobState.Succeeded, Bound);
        }

        var all = await store.ListAsync(new JobFilter { Limit = 100 });
        Assert.Equal(acknowledged.Order(), all.Jobs.Select(j => j.Id).Order());
        Assert.All(acknowledged, id => Assert.Equal(1, runs[id]));
    }
}
