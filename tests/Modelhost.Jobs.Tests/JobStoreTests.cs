using System.Text.Json;
using System.Text.Json.Nodes;
using Modelhost.Jobs.Tests.Infrastructure;

namespace Modelhost.Jobs.Tests;

public sealed class JobStoreTests
{
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(30);

    [Theory, Sqlite, Postgres]
    public async Task A_submitted_job_reads_back_with_its_payload_and_starts_queued(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var store = await db.OpenStoreAsync(timeProvider: clock);

        var submitted = await store.SubmitAsync(new JobSubmission
        {
            Kind = "train",
            Queue = JobQueues.Training,
            Payload = new JsonObject { ["model"] = "iris", ["epochs"] = 3, ["tags"] = new JsonArray("a", "b") },
            MaxAttempts = 5,
        });

        var job = await store.GetAsync(submitted.Id);
        Assert.NotNull(job);
        Assert.Equal(submitted.Id, job.Id);
        Assert.Equal("train", job.Kind);
        Assert.Equal("training", job.Queue);
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(0, job.Attempts);
        Assert.Equal(5, job.MaxAttempts);
        Assert.Equal("iris", job.Payload.GetProperty("model").GetString());
        Assert.Equal(3, job.Payload.GetProperty("epochs").GetInt32());
        Assert.Equal(2, job.Payload.GetProperty("tags").GetArrayLength());
        Assert.Equal(clock.GetUtcNow(), job.CreatedAt);
        Assert.Equal(clock.GetUtcNow(), job.UpdatedAt);
        Assert.Equal(clock.GetUtcNow(), job.NextRunAt);
        Assert.Null(job.StartedAt);
        Assert.Null(job.FinishedAt);
        Assert.Null(job.LeaseOwner);
        Assert.Null(job.Result);
        Assert.Empty(job.DependsOn);
        Assert.Null(await store.GetAsync(submitted.Id + 1000));
    }

    [Theory, Sqlite, Postgres]
    public async Task Submissions_beyond_the_unfinished_limit_are_refused_until_a_job_finishes(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync(new JobStoreOptions { MaxUnfinishedJobs = 2 });
        var first = await store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction });
        await store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction, IdempotencyKey = "k" });

        var full = await Assert.ThrowsAsync<JobException>(() => store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction }));
        Assert.Equal(JobErrorKind.QueueFull, full.Kind);
        Assert.Contains("holds 2 unfinished jobs", full.Message, StringComparison.Ordinal);
        Assert.Contains("jobs.max_unfinished", full.Message, StringComparison.Ordinal);

        // A key that was used before still answers with its job: that submission adds nothing.
        Assert.Equal("k", (await store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction, IdempotencyKey = "k" })).IdempotencyKey);

        var claimed = await store.ClaimAsync(JobQueues.Prediction, "w1", s_lease, default);
        Assert.Equal(first.Id, claimed!.Id);
        Assert.True(await store.CompleteAsync(first.Id, "w1", null, default));
        var third = await store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction });
        Assert.Equal(JobState.Queued, third.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_job_without_a_payload_stores_json_null_and_its_result_after_success(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var job = await store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction });
        Assert.Equal(JsonValueKind.Null, job.Payload.ValueKind);

        var claimed = await store.ClaimAsync(JobQueues.Prediction, "w1", s_lease, default);
        Assert.Equal(job.Id, claimed!.Id);
        Assert.True(await store.CompleteAsync(job.Id, "w1", new JsonObject { ["rows"] = 42 }, default));

        var done = (await store.GetAsync(job.Id))!;
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(42, done.Result!.Value.GetProperty("rows").GetInt32());
        Assert.Equal(100, done.Progress);
        Assert.NotNull(done.FinishedAt);
        Assert.Null(done.LeaseOwner);
    }

    [Theory, Sqlite, Postgres]
    public async Task Listing_filters_by_state_queue_and_kind_and_pages_newest_first_with_a_cursor(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var ids = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await store.SubmitAsync(new JobSubmission { Kind = i % 2 == 0 ? "train" : "predict", Queue = JobQueues.Training })).Id);
        }

        var other = await store.SubmitAsync(new JobSubmission { Kind = "train", Queue = JobQueues.Prediction });
        await store.CancelAsync(ids[0]);

        var pages = new List<IReadOnlyList<Job>>();
        long? cursor = null;
        do
        {
            var page = await store.ListAsync(new JobFilter { Queue = JobQueues.Training, Limit = 3, Cursor = cursor });
            pages.Add(page.Jobs);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(ids.AsEnumerable().Reverse(), pages.SelectMany(p => p).Select(j => j.Id));

        var trainOnTraining = await store.ListAsync(new JobFilter { Queue = JobQueues.Training, Kind = "train" });
        Assert.Equal([ids[6], ids[4], ids[2], ids[0]], trainOnTraining.Jobs.Select(j => j.Id));
        Assert.Null(trainOnTraining.NextCursor);

        var cancelled = await store.ListAsync(new JobFilter { State = JobState.Cancelled });
        Assert.Equal([ids[0]], cancelled.Jobs.Select(j => j.Id));

        var everything = await store.ListAsync(new JobFilter { Limit = 100 });
        Assert.Equal(8, everything.Jobs.Count);
        Assert.Equal(other.Id, everything.Jobs[0].Id);

        var exact = await store.ListAsync(new JobFilter { Limit = 8 });
        Assert.Equal(8, exact.Jobs.Count);
        Assert.Null(exact.NextCursor);

        var error = await Assert.ThrowsAsync<JobException>(() => store.ListAsync(new JobFilter { Limit = 0 }));
        Assert.Equal(JobErrorKind.InvalidArgument, error.Kind);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_second_submission_with_the_same_idempotency_key_returns_the_first_job(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var first = await store.SubmitAsync(new JobSubmission { Kind = "train", Payload = JsonValue.Create(1), IdempotencyKey = "train-iris-7" });
        var second = await store.SubmitAsync(new JobSubmission { Kind = "train", Payload = JsonValue.Create(2), IdempotencyKey = "train-iris-7" });
        var third = await store.SubmitAsync(new JobSubmission { Kind = "train", Payload = JsonValue.Create(3), IdempotencyKey = "another" });

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(1, second.Payload.GetInt32());
        Assert.Equal("train-iris-7", second.IdempotencyKey);
        Assert.NotEqual(first.Id, third.Id);
        Assert.Equal(2, (await store.ListAsync(new JobFilter())).Jobs.Count);
    }

    [Theory, Sqlite, Postgres]
    public async Task Concurrent_submissions_with_one_idempotency_key_from_two_stores_create_one_job(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var a = await db.OpenStoreAsync();
        var b = await db.OpenStoreAsync();

        var submissions = Enumerable.Range(0, 16)
            .Select(i => Task.Run(() => (i % 2 == 0 ? a : b).SubmitAsync(new JobSubmission { Kind = "train", IdempotencyKey = "once" })))
            .ToArray();
        var jobs = await Task.WhenAll(submissions);

        Assert.Single(jobs.Select(j => j.Id).Distinct());
        Assert.Single((await a.ListAsync(new JobFilter())).Jobs);
    }

    [Theory, Sqlite, Postgres]
    public async Task Submitting_with_a_missing_dependency_is_a_missing_dependency_error_and_creates_nothing(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var parent = await store.SubmitAsync(new JobSubmission { Kind = "train" });

        var error = await Assert.ThrowsAsync<JobException>(
            () => store.SubmitAsync(new JobSubmission { Kind = "predict", DependsOn = [parent.Id, 9999] }));

        Assert.Equal(JobErrorKind.MissingDependency, error.Kind);
        Assert.Equal(9999, error.JobId);
        Assert.Contains("9999", error.Message, StringComparison.Ordinal);
        Assert.Single((await store.ListAsync(new JobFilter())).Jobs);
    }

    [Theory, Sqlite, Postgres]
    public async Task Invalid_submissions_are_rejected_as_invalid_arguments(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        JobSubmission[] invalid =
        [
            new() { Kind = "" },
            new() { Kind = "train", Queue = "Training" },
            new() { Kind = "train", Queue = "a b" },
            new() { Kind = "train", MaxAttempts = 0 },
            new() { Kind = "train", IdempotencyKey = "" },
        ];

        foreach (var submission in invalid)
        {
            var error = await Assert.ThrowsAsync<JobException>(() => store.SubmitAsync(submission));
            Assert.Equal(JobErrorKind.InvalidArgument, error.Kind);
        }

        Assert.Empty((await store.ListAsync(new JobFilter())).Jobs);
    }

    [Theory, Sqlite, Postgres]
    public async Task Claims_take_due_jobs_of_their_queue_oldest_first_and_count_the_attempt(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var clock = new ManualTimeProvider();
        var store = await db.OpenStoreAsync(timeProvider: clock);
        var first = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var second = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction });

        var a = await store.ClaimAsync(JobQueues.Training, "w1", s_lease, default);
        var b = await store.ClaimAsync(JobQueues.Training, "w2", s_lease, default);
        var none = await store.ClaimAsync(JobQueues.Training, "w3", s_lease, default);

        Assert.Equal(first.Id, a!.Id);
        Assert.Equal(second.Id, b!.Id);
        Assert.Null(none);
        Assert.Equal(JobState.Running, a.State);
        Assert.Equal(1, a.Attempts);
        Assert.Equal("w1", a.LeaseOwner);
        Assert.Equal(clock.GetUtcNow() + s_lease, a.LeaseExpiresAt);
        Assert.Equal(clock.GetUtcNow(), a.StartedAt);
    }

    [Theory, Sqlite, Postgres]
    public async Task Cancelling_a_queued_job_cancels_it_and_the_jobs_waiting_on_it_at_once(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var dependent = await store.SubmitAsync(new JobSubmission { Kind = "predict", DependsOn = [job.Id] });

        var cancelled = await store.CancelAsync(job.Id, "not needed any more");

        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal("not needed any more", cancelled.Error);
        Assert.NotNull(cancelled.FinishedAt);
        Assert.Null(await store.ClaimAsync(JobQueues.Training, "w1", s_lease, default));
        var dependentNow = (await store.GetAsync(dependent.Id))!;
        Assert.Equal(JobState.Cancelled, dependentNow.State);
        Assert.Contains($"job {job.Id}", dependentNow.Error, StringComparison.Ordinal);

        // Cancelling again changes nothing.
        var again = await store.CancelAsync(job.Id);
        Assert.Equal(JobState.Cancelled, again.State);
        Assert.Equal(cancelled.UpdatedAt, again.UpdatedAt);
        Assert.Equal("not needed any more", again.Error);
    }

    [Theory, Sqlite, Postgres]
    public async Task Cancelling_a_running_job_sets_its_cancel_flag_and_the_next_heartbeat_reads_it(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.ClaimAsync(JobQueues.Training, "w1", s_lease, default);

        var afterCancel = await store.CancelAsync(job.Id);
        Assert.Equal(JobState.Running, afterCancel.State);
        Assert.True(afterCancel.CancelRequested);

        var renewal = await store.RenewLeaseAsync(job.Id, "w1", s_lease, default);
        Assert.True(renewal.Held);
        Assert.True(renewal.CancelRequested);

        Assert.True(await store.MarkCancelledAsync(job.Id, "w1", default));
        Assert.Equal(JobState.Cancelled, (await store.GetAsync(job.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task Cancelling_or_retrying_in_the_wrong_state_is_a_conflict_and_a_missing_job_is_not_found(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.ClaimAsync(JobQueues.Training, "w1", s_lease, default);

        Assert.Equal(JobErrorKind.Conflict, (await Assert.ThrowsAsync<JobException>(() => store.RetryAsync(job.Id))).Kind);
        await store.CompleteAsync(job.Id, "w1", null, default);
        Assert.Equal(JobErrorKind.Conflict, (await Assert.ThrowsAsync<JobException>(() => store.CancelAsync(job.Id))).Kind);
        Assert.Equal(JobErrorKind.Conflict, (await Assert.ThrowsAsync<JobException>(() => store.RetryAsync(job.Id))).Kind);
        Assert.Equal(JobErrorKind.NotFound, (await Assert.ThrowsAsync<JobException>(() => store.CancelAsync(12345))).Kind);
        Assert.Equal(JobErrorKind.NotFound, (await Assert.ThrowsAsync<JobException>(() => store.RetryAsync(12345))).Kind);
    }

    [Theory, Sqlite, Postgres]
    public async Task Log_lines_are_kept_in_order_and_bounded_per_job(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync(new JobStoreOptions { MaxLogLinesPerJob = 5, MaxLogLineLength = 10 });
        var a = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var b = await store.SubmitAsync(new JobSubmission { Kind = "train" });

        for (var i = 1; i <= 12; i++)
        {
            await store.AppendLogAsync(a.Id, $"line {i}", default);
            if (i <= 2)
            {
                await store.AppendLogAsync(b.Id, $"b {i}", default);
            }
        }

        await store.AppendLogAsync(b.Id, "a very long line\nwith a break", default);

        var logs = await store.GetLogsAsync(a.Id);
        Assert.Equal(["line 8", "line 9", "line 10", "line 11", "line 12"], logs.Select(l => l.Line));
        Assert.True(logs.Zip(logs.Skip(1)).All(p => p.First.Id < p.Second.Id));
        Assert.All(logs, l => Assert.Equal(a.Id, l.JobId));

        var after = await store.GetLogsAsync(a.Id, afterId: logs[2].Id);
        Assert.Equal(["line 11", "line 12"], after.Select(l => l.Line));

        Assert.Equal(["b 1", "b 2", "a very lon"], (await store.GetLogsAsync(b.Id)).Select(l => l.Line));
    }

    [Theory, Sqlite, Postgres]
    public async Task Progress_reports_count_only_from_the_worker_holding_the_job(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.ClaimAsync(JobQueues.Training, "w1", s_lease, default);

        Assert.True(await store.ReportProgressAsync(job.Id, "w1", 40, "epoch 2 of 5", default));
        Assert.False(await store.ReportProgressAsync(job.Id, "intruder", 90, "nonsense", default));

        var now = (await store.GetAsync(job.Id))!;
        Assert.Equal(40, now.Progress);
        Assert.Equal("epoch 2 of 5", now.ProgressMessage);
    }
}
