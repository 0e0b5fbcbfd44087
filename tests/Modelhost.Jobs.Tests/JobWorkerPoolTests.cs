using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Modelhost.Jobs.Tests.Infrastructure;
using Modelhost.Jobs.Workers;
using Xunit.Abstractions;

namespace Modelhost.Jobs.Tests;

[Trait("Category", "Slow")]
public sealed class JobWorkerPoolTests
{
    private readonly ITestOutputHelper _output;

    public JobWorkerPoolTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private static JobWorkerOptions FastOptions(int training = 1, int prediction = 1)
    {
        var options = new JobWorkerOptions
        {
            LeaseDuration = TimeSpan.FromSeconds(30),
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            PollInterval = TimeSpan.FromMilliseconds(50),
            ShutdownTimeout = TimeSpan.FromSeconds(20),
            CancellationGrace = TimeSpan.FromSeconds(5),
        };
        options.Queues[JobQueues.Training] = training;
        options.Queues[JobQueues.Prediction] = prediction;
        return options;
    }

    [Theory, Sqlite, Postgres]
    public async Task A_dependent_job_runs_after_its_dependency_succeeded_with_the_results_stored(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        db.LoggerFactory = TestOutputLoggerProvider.Factory(_output);
        var store = await db.OpenStoreAsync();
        var order = new ConcurrentQueue<string>();
        var train = new DelegateHandler("train", async (context, ct) =>
        {
            order.Enqueue("train " + context.Job.Payload.GetProperty("model").GetString());
            await context.ReportProgressAsync(50, "halfway", ct);
            await context.LogAsync("trained", ct);
            return new JsonObject { ["version"] = 2 };
        });
        var predict = new DelegateHandler("predict", (context, _) =>
        {
            order.Enqueue("predict");
            return Task.FromResult<JsonNode?>(new JsonObject { ["rows"] = 10 });
        });
        await using var pool = new JobWorkerPool(store, [train, predict], FastOptions(prediction: 2));

        var trainJob = await store.SubmitAsync(new JobSubmission { Kind = "train", Payload = new JsonObject { ["model"] = "iris" } });
        var predictJob = await store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction, DependsOn = [trainJob.Id] });
        await pool.StartAsync(default);

        var predicted = await Eventually.StateAsync(store, predictJob.Id, JobState.Succeeded);
        Assert.Equal(["train iris", "predict"], order);
        Assert.Equal(10, predicted.Result!.Value.GetProperty("rows").GetInt32());
        var trained = (await store.GetAsync(trainJob.Id))!;
        Assert.Equal(2, trained.Result!.Value.GetProperty("version").GetInt32());
        Assert.Equal(1, trained.Attempts);
        Assert.Equal(["trained"], (await store.GetLogsAsync(trainJob.Id)).Select(l => l.Line));
        Assert.True(trained.FinishedAt <= predicted.StartedAt);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_job_of_a_kind_without_a_handler_ends_dead_with_a_clear_error(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        await using var pool = new JobWorkerPool(store, [new DelegateHandler("train", (_, _) => Task.FromResult<JsonNode?>(null))], FastOptions());
        await pool.StartAsync(default);

        var job = await store.SubmitAsync(new JobSubmission { Kind = "teleport", MaxAttempts = 5 });

        var dead = await Eventually.StateAsync(store, job.Id, JobState.Dead);
        Assert.Equal("No handler runs jobs of kind 'teleport' (known kinds: train).", dead.Error);
        Assert.Equal(1, dead.Attempts);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_failing_handler_is_retried_after_a_backoff_then_dead_and_its_dependents_are_cancelled(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync(new JobStoreOptions
        {
            Retry = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) },
        });
        var attempts = 0;
        var flaky = new DelegateHandler("train", (context, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException($"attempt {context.Job.Attempts} failed");
        });
        await using var pool = new JobWorkerPool(store, [flaky], FastOptions());
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 3 });
        var dependent = await store.SubmitAsync(new JobSubmission { Kind = "train", DependsOn = [job.Id] });
        await pool.StartAsync(default);

        var dead = await Eventually.StateAsync(store, job.Id, JobState.Dead);
        Assert.Equal(3, dead.Attempts);
        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Equal("InvalidOperationException: attempt 3 failed", dead.Error);
        var cancelled = await Eventually.StateAsync(store, dependent.Id, JobState.Cancelled);
        Assert.Contains($"job {job.Id}", cancelled.Error, StringComparison.Ordinal);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_permanent_failure_ends_the_job_dead_without_retrying(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var handler = new DelegateHandler("train", (_, _) => throw new PermanentJobFailureException("the payload names no model"));
        await using var pool = new JobWorkerPool(store, [handler], FastOptions());
        await pool.StartAsync(default);

        var job = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 5 });

        var dead = await Eventually.StateAsync(store, job.Id, JobState.Dead);
        Assert.Equal("the payload names no model", dead.Error);
        Assert.Equal(1, dead.Attempts);
    }

    [Theory, Sqlite, Postgres]
    public async Task Two_pools_on_one_database_run_each_of_200_jobs_exactly_once_and_never_at_the_same_time(Backend backend)
    {
        const int JobCount = 200;
        await using var db = await TestDatabase.CreateAsync(backend);
        var storeA = await db.OpenStoreAsync();
        var storeB = await db.OpenStoreAsync();
        var runs = new ConcurrentDictionary<long, int>();
        var active = new ConcurrentDictionary<long, int>();
        var overlaps = 0;
        var byPool = new ConcurrentDictionary<string, int>();
        IJobHandler Handler() => new DelegateHandler("work", async (context, ct) =>
        {
            if (active.AddOrUpdate(context.Job.Id, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            runs.AddOrUpdate(context.Job.Id, 1, (_, n) => n + 1);
            byPool.AddOrUpdate(context.WorkerId.Split('/')[0], 1, (_, n) => n + 1);
            await Task.Delay(Random.Shared.Next(1, 5), ct);
            active.AddOrUpdate(context.Job.Id, 0, (_, n) => n - 1);
            return null;
        });

        var options = FastOptions(training: 4, prediction: 0);
        await using var poolA = new JobWorkerPool(storeA, [Handler()], options);
        await using var poolB = new JobWorkerPool(storeB, [Handler()], options);
        await poolA.StartAsync(default);
        await poolB.StartAsync(default);

        var ids = new List<long>();
        for (var i = 0; i < JobCount; i++)
        {
            ids.Add((await (i % 2 == 0 ? storeA : storeB).SubmitAsync(new JobSubmission { Kind = "work" })).Id);
        }

        await Eventually.WaitForAsync(
            () => storeA.ListAsync(new JobFilter { State = JobState.Succeeded, Limit = JobFilter.MaxLimit }),
            page => page.Jobs.Count == JobCount,
            "all jobs to succeed",
            TimeSpan.FromSeconds(120));

        Assert.Equal(0, Volatile.Read(ref overlaps));
        Assert.Equal(JobCount, runs.Count);
        Assert.All(ids, id => Assert.Equal(1, runs[id]));
        var jobs = (await storeA.ListAsync(new JobFilter { Limit = JobFilter.MaxLimit })).Jobs;
        Assert.All(jobs, j => Assert.Equal(1, j.Attempts));
        _output.WriteLine($"jobs per pool: {string.Join(", ", byPool.Select(p => $"{p.Key}={p.Value}"))}");
    }

    [Theory, Sqlite, Postgres]
    public async Task Cancelling_a_running_job_reaches_its_handler_through_the_token(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler("train", async (_, ct) =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                observed.SetResult();
                throw;
            }

            return null;
        });

        // Heartbeats far apart: the cancel must arrive through the store's own notification.
        var options = FastOptions();
        options.HeartbeatInterval = TimeSpan.FromSeconds(25);
        await using var pool = new JobWorkerPool(store, [handler], options);
        await pool.StartAsync(default);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var dependent = await store.SubmitAsync(new JobSubmission { Kind = "train", DependsOn = [job.Id] });
        await Eventually.WithinAsync(started.Task, "the handler to start");

        await store.CancelAsync(job.Id);

        await Eventually.WithinAsync(observed.Task, "the handler to see its token cancelled");
        var cancelled = await Eventually.StateAsync(store, job.Id, JobState.Cancelled);
        Assert.Equal(1, cancelled.Attempts);
        Assert.Null(cancelled.LeaseOwner);
        Assert.Equal(JobState.Cancelled, (await store.GetAsync(dependent.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_cancel_through_another_store_reaches_the_handler_at_the_next_heartbeat(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var elsewhere = await db.OpenStoreAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler("train", async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        await using var pool = new JobWorkerPool(store, [handler], FastOptions());
        await pool.StartAsync(default);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await Eventually.WithinAsync(started.Task, "the handler to start");

        var requested = await elsewhere.CancelAsync(job.Id);
        Assert.True(requested.CancelRequested);

        var cancelled = await Eventually.StateAsync(store, job.Id, JobState.Cancelled);
        Assert.Equal("Cancelled on request while running.", cancelled.Error);
    }

    [Theory, Sqlite, Postgres]
    public async Task Heartbeats_keep_the_lease_of_a_job_that_runs_far_longer_than_the_lease(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var store = await db.OpenStoreAsync(timeProvider: clock);
        var intruder = await db.OpenStoreAsync(timeProvider: clock);
        var lease = TimeSpan.FromSeconds(30);
        var heartbeat = TimeSpan.FromSeconds(10);
        var runs = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler("train", async (_, _) =>
        {
            Interlocked.Increment(ref runs);
            started.TrySetResult();
            await finish.Task;
            return null;
        });
        var options = new JobWorkerOptions { LeaseDuration = lease, HeartbeatInterval = heartbeat, PollInterval = TimeSpan.FromSeconds(1) };
        options.Queues[JobQueues.Prediction] = 0;
        await using var pool = new JobWorkerPool(store, [handler], options);
        await pool.StartAsync(default);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await Eventually.WithinAsync(started.Task, "the handler to start");

        // Ten heartbeats: 100 s on the clock, more than three leases long.
        for (var beat = 0; beat < 10; beat++)
        {
            var now = clock.GetUtcNow();
            await Eventually.WaitForAsync(() => store.GetAsync(job.Id), j => j!.LeaseExpiresAt == now + lease, $"the lease renewed at {now:T}");
            await Eventually.WaitForAsync(() => Task.FromResult(clock.HasTimerDueAt(now + heartbeat)), armed => armed, "the next heartbeat to be armed");
            clock.Advance(heartbeat);
            Assert.Null(await intruder.ClaimAsync(JobQueues.Training, "intruder", lease, default));
        }

        finish.SetResult();
        var done = await Eventually.StateAsync(store, job.Id, JobState.Succeeded);
        Assert.Equal(1, done.Attempts);
        Assert.Equal(1, Volatile.Read(ref runs));
    }

    [Theory, Sqlite, Postgres]
    public async Task A_worker_whose_lease_was_taken_over_drops_its_outcome(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var store = await db.OpenStoreAsync(timeProvider: clock);
        var other = await db.OpenStoreAsync(timeProvider: clock);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler("train", async (_, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                stopped.TrySetResult();
            }

            return null;
        });

        var options = new JobWorkerOptions { LeaseDuration = TimeSpan.FromSeconds(30), HeartbeatInterval = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromSeconds(1) };
        options.Queues[JobQueues.Prediction] = 0;
        await using var pool = new JobWorkerPool(store, [handler], options);
        await pool.StartAsync(default);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await Eventually.WithinAsync(started.Task, "the handler to start");
        var claimedAt = clock.GetUtcNow();
        await Eventually.WaitForAsync(() => Task.FromResult(clock.HasTimerDueAt(claimedAt + TimeSpan.FromSeconds(10))), armed => armed, "the heartbeat to be armed");

        // The worker stalls past its lease (the clock jumps without its heartbeat firing) and another worker takes the job.
        clock.Jump(TimeSpan.FromSeconds(31));
        var taken = await other.ClaimAsync(JobQueues.Training, "other", TimeSpan.FromSeconds(30), default);
        Assert.Equal(job.Id, taken!.Id);
        Assert.Equal(2, taken.Attempts);

        // When the stalled worker's heartbeat finally runs, it learns it lost the job, stops its handler and records nothing.
        clock.Advance(TimeSpan.Zero);
        await Eventually.WithinAsync(stopped.Task, "the stalled handler to be stopped");
        await Eventually.WaitForAsync(() => Task.FromResult(pool.RunningCount), n => n == 0, "the stalled worker to let go");
        var current = (await store.GetAsync(job.Id))!;
        Assert.Equal((JobState.Running, "other", 2), (current.State, current.LeaseOwner, current.Attempts));
        Assert.True(await other.CompleteAsync(job.Id, "other", null, default));
    }
}
