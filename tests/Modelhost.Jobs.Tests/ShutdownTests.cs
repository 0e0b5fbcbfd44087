using System.Text.Json.Nodes;
using Modelhost.Jobs.Tests.Infrastructure;
using Modelhost.Jobs.Workers;

namespace Modelhost.Jobs.Tests;

public sealed class ShutdownTests
{
    private static JobWorkerOptions Options(TimeSpan shutdownTimeout, TimeSpan cancellationGrace)
    {
        var options = new JobWorkerOptions
        {
            HeartbeatInterval = TimeSpan.FromSeconds(5),
            PollInterval = TimeSpan.FromMilliseconds(50),
            ShutdownTimeout = shutdownTimeout,
            CancellationGrace = cancellationGrace,
        };
        options.Queues[JobQueues.Prediction] = 0;
        return options;
    }

    [Theory, Sqlite, Postgres]
    public async Task Shutdown_releases_a_job_that_does_not_finish_in_time_without_counting_the_attempt(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancel = false;
        var slow = new DelegateHandler("train", async (context, ct) =>
        {
            await context.ReportProgressAsync(10, "started", CancellationToken.None);
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                sawCancel = true;
                throw;
            }

            return null;
        });
        var pool = new JobWorkerPool(store, [slow], Options(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(20)));
        await pool.StartAsync(default);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await Eventually.WithinAsync(started.Task, "the handler to start");

        await Eventually.WithinAsync(pool.StopAsync(default), "the pool to stop");

        Assert.True(sawCancel);
        var released = (await store.GetAsync(job.Id))!;
        Assert.Equal(JobState.Queued, released.State);
        Assert.Equal(0, released.Attempts);
        Assert.Null(released.LeaseOwner);
        Assert.Null(released.LeaseExpiresAt);

        // Another pool (another server) runs it again, as its first attempt.
        var fast = new DelegateHandler("train", (_, _) => Task.FromResult<JsonNode?>(null));
        await using var next = new JobWorkerPool(store, [fast], Options(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5)));
        await next.StartAsync(default);
        var done = await Eventually.StateAsync(store, job.Id, JobState.Succeeded);
        Assert.Equal(1, done.Attempts);
    }

    [Theory, Sqlite, Postgres]
    public async Task Shutdown_releases_a_job_whose_handler_ignores_its_cancellation(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubborn = new DelegateHandler("train", (_, _) =>
        {
            started.TrySetResult();
            return never.Task;
        });
        var pool = new JobWorkerPool(store, [stubborn], Options(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)));
        await pool.StartAsync(default);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await Eventually.WithinAsync(started.Task, "the handler to start");

        await Eventually.WithinAsync(pool.StopAsync(default), "the pool to stop although the handler never returns");

        var released = (await store.GetAsync(job.Id))!;
        Assert.Equal((JobState.Queued, 0), (released.State, released.Attempts));
        never.SetResult(null);
    }

    [Theory, Sqlite, Postgres]
    public async Task Shutdown_lets_a_job_that_finishes_within_the_timeout_succeed(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler("train", async (_, _) =>
        {
            started.TrySetResult();
            await finish.Task;
            return JsonValue.Create("done");
        });
        var pool = new JobWorkerPool(store, [handler], Options(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)));
        await pool.StartAsync(default);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await Eventually.WithinAsync(started.Task, "the handler to start");

        var stopping = pool.StopAsync(default);
        await Task.Delay(100);
        Assert.False(stopping.IsCompleted);
        var queuedMeanwhile = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        finish.SetResult();
        await Eventually.WithinAsync(stopping, "the pool to stop after its job finished");

        var done = (await store.GetAsync(job.Id))!;
        Assert.Equal((JobState.Succeeded, 1), (done.State, done.Attempts));
        Assert.Equal("done", done.Result!.Value.GetString());
        Assert.Equal(JobState.Queued, (await store.GetAsync(queuedMeanwhile.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task The_hosts_shutdown_token_cuts_the_wait_short(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler("train", async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        var pool = new JobWorkerPool(store, [handler], Options(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10)));
        await pool.StartAsync(default);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await Eventually.WithinAsync(started.Task, "the handler to start");

        using var hostDeadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Eventually.WithinAsync(pool.StopAsync(hostDeadline.Token), "the pool to stop at the host's deadline");

        Assert.Equal(JobState.Queued, (await store.GetAsync(job.Id))!.State);
    }
}
