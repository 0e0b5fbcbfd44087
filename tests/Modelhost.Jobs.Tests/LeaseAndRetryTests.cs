using Modelhost.Jobs.Tests.Infrastructure;

namespace Modelhost.Jobs.Tests;

public sealed class LeaseAndRetryTests
{
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(30);

    [Theory, Sqlite, Postgres]
    public async Task Retry_delays_grow_exponentially_within_the_jitter_bounds_until_the_job_is_dead(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var retry = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(10), Factor = 2, MaxDelay = TimeSpan.FromSeconds(100), Jitter = 0.25 };
        var store = await db.OpenStoreAsync(new JobStoreOptions { Retry = retry }, clock);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 6 });
        double[] nominalSeconds = [10, 20, 40, 80, 100];

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var claimed = await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);
            Assert.Equal(attempt, claimed!.Attempts);
            Assert.Equal(JobState.Failed, await store.FailAsync(job.Id, "w", $"failure {attempt}", permanent: false, default));

            var failed = (await store.GetAsync(job.Id))!;
            Assert.Equal(JobState.Failed, failed.State);
            Assert.Equal($"failure {attempt}", failed.Error);
            Assert.Null(failed.LeaseOwner);
            var delay = (failed.NextRunAt - clock.GetUtcNow()).TotalSeconds;
            var nominal = nominalSeconds[attempt - 1];
            Assert.InRange(delay, nominal * 0.75, nominal * 1.25);

            // Not a moment before its time.
            clock.Advance(failed.NextRunAt - clock.GetUtcNow() - TimeSpan.FromMilliseconds(1));
            Assert.Null(await store.ClaimAsync(JobQueues.Training, "w", s_lease, default));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);
        Assert.Equal(JobState.Dead, await store.FailAsync(job.Id, "w", "failure 6", permanent: false, default));
        var dead = (await store.GetAsync(job.Id))!;
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Equal(6, dead.Attempts);
        Assert.Equal("failure 6", dead.Error);
        Assert.Equal(clock.GetUtcNow(), dead.FinishedAt);

        clock.Advance(TimeSpan.FromDays(1));
        Assert.Null(await store.ClaimAsync(JobQueues.Training, "w", s_lease, default));
        Assert.Equal(JobState.Dead, (await store.GetAsync(job.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task Jitter_reaches_both_ends_of_its_range(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var randoms = new Queue<double>([0.0, 0.999999]);
        var options = new JobStoreOptions
        {
            Retry = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(100), Factor = 1, Jitter = 0.5 },
            Random = () => randoms.Dequeue(),
        };
        var store = await db.OpenStoreAsync(options, clock);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 3 });

        await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);
        await store.FailAsync(job.Id, "w", "x", permanent: false, default);
        var low = (await store.GetAsync(job.Id))!.NextRunAt - clock.GetUtcNow();
        clock.Advance(low);
        await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);
        await store.FailAsync(job.Id, "w", "x", permanent: false, default);
        var high = (await store.GetAsync(job.Id))!.NextRunAt - clock.GetUtcNow();

        Assert.Equal(50, low.TotalSeconds, 0.01);
        Assert.Equal(150, high.TotalSeconds, 0.01);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_permanent_failure_is_dead_on_the_first_attempt(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 5 });
        await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);

        Assert.Equal(JobState.Dead, await store.FailAsync(job.Id, "w", "bad payload", permanent: true, default));
        Assert.Equal(1, (await store.GetAsync(job.Id))!.Attempts);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_job_whose_worker_stopped_renewing_its_lease_is_claimed_again_with_the_attempt_counted(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var store = await db.OpenStoreAsync(timeProvider: clock);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var first = await store.ClaimAsync(JobQueues.Training, "dead-worker", s_lease, default);
        Assert.Equal(1, first!.Attempts);

        clock.Advance(s_lease);
        Assert.Null(await store.ClaimAsync(JobQueues.Training, "w2", s_lease, default));

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var second = await store.ClaimAsync(JobQueues.Training, "w2", s_lease, default);

        Assert.NotNull(second);
        Assert.Equal(job.Id, second.Id);
        Assert.Equal(2, second.Attempts);
        Assert.Equal("w2", second.LeaseOwner);
        Assert.Contains("dead-worker", second.Error, StringComparison.Ordinal);

        // The worker that lost its lease can no longer change the job.
        Assert.False((await store.RenewLeaseAsync(job.Id, "dead-worker", s_lease, default)).Held);
        Assert.False(await store.CompleteAsync(job.Id, "dead-worker", null, default));
        Assert.Null(await store.FailAsync(job.Id, "dead-worker", "late", permanent: false, default));
        Assert.False(await store.ReleaseAsync(job.Id, "dead-worker", default));
        Assert.True(await store.CompleteAsync(job.Id, "w2", null, default));
        Assert.Equal(JobState.Succeeded, (await store.GetAsync(job.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_renewed_lease_keeps_other_workers_away(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var store = await db.OpenStoreAsync(timeProvider: clock);
        var other = await db.OpenStoreAsync(timeProvider: clock);
        await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var job = await store.ClaimAsync(JobQueues.Training, "w1", s_lease, default);

        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(20));
            var renewal = await store.RenewLeaseAsync(job!.Id, "w1", s_lease, default);
            Assert.True(renewal.Held);
            Assert.False(renewal.CancelRequested);
            Assert.Null(await other.ClaimAsync(JobQueues.Training, "w2", s_lease, default));
        }

        Assert.Equal(clock.GetUtcNow() + s_lease, (await store.GetAsync(job!.Id))!.LeaseExpiresAt);
        Assert.Equal(1, (await store.GetAsync(job.Id))!.Attempts);
    }

    [Theory, Sqlite, Postgres]
    public async Task An_expired_lease_on_the_last_attempt_makes_the_job_dead_and_cancels_its_dependents(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var store = await db.OpenStoreAsync(timeProvider: clock);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 1 });
        var dependent = await store.SubmitAsync(new JobSubmission { Kind = "predict", DependsOn = [job.Id] });
        await store.ClaimAsync(JobQueues.Training, "dead-worker", s_lease, default);

        clock.Advance(s_lease + TimeSpan.FromSeconds(1));
        Assert.Null(await store.ClaimAsync(JobQueues.Training, "w2", s_lease, default));

        var dead = (await store.GetAsync(job.Id))!;
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Contains("stopped renewing its lease", dead.Error, StringComparison.Ordinal);
        Assert.Equal(JobState.Cancelled, (await store.GetAsync(dependent.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task An_expired_lease_of_a_job_whose_cancel_was_asked_for_ends_it_cancelled(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var store = await db.OpenStoreAsync(timeProvider: clock);
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.ClaimAsync(JobQueues.Training, "dead-worker", s_lease, default);
        await store.CancelAsync(job.Id);

        clock.Advance(s_lease + TimeSpan.FromSeconds(1));
        Assert.Null(await store.ClaimAsync(JobQueues.Training, "w2", s_lease, default));
        Assert.Equal(JobState.Cancelled, (await store.GetAsync(job.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_released_job_is_queued_again_without_counting_the_attempt(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.ClaimAsync(JobQueues.Training, "w1", s_lease, default);
        await store.ReportProgressAsync(job.Id, "w1", 50, "half", default);

        Assert.True(await store.ReleaseAsync(job.Id, "w1", default));

        var released = (await store.GetAsync(job.Id))!;
        Assert.Equal(JobState.Queued, released.State);
        Assert.Equal(0, released.Attempts);
        Assert.Null(released.LeaseOwner);
        Assert.Null(released.LeaseExpiresAt);
        Assert.Equal(0, released.Progress);
        var again = await store.ClaimAsync(JobQueues.Training, "w2", s_lease, default);
        Assert.Equal(1, again!.Attempts);
    }
}
