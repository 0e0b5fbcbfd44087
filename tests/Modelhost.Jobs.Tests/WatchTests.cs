using System.Threading.Channels;
using Modelhost.Jobs.Tests.Infrastructure;

namespace Modelhost.Jobs.Tests;

public sealed class WatchTests
{
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(30);

    [Theory, Sqlite, Postgres]
    public async Task Watching_a_job_streams_its_state_changes_progress_and_log_lines_until_it_ends(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);

        // A clock that never moves: only this store's own notifications can wake the watcher, none of its polls.
        var store = await db.OpenStoreAsync(timeProvider: new ManualTimeProvider());
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.AppendLogAsync(job.Id, "before watching", default);
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        var events = Channel.CreateUnbounded<JobEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in store.WatchAsync(job.Id, timeout.Token))
            {
                await events.Writer.WriteAsync(e);
            }

            events.Writer.Complete();
        });

        var first = await events.Reader.ReadAsync(timeout.Token);
        Assert.Equal((JobEventKind.State, JobState.Queued), (first.Kind, first.State));
        var backlog = await events.Reader.ReadAsync(timeout.Token);
        Assert.Equal("before watching", backlog.Log!.Line);

        await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);
        var running = await events.Reader.ReadAsync(timeout.Token);
        Assert.Equal((JobEventKind.State, JobState.Running, 1), (running.Kind, running.State, running.Attempts));

        await store.ReportProgressAsync(job.Id, "w", 30, "epoch 1", default);
        var progress = await events.Reader.ReadAsync(timeout.Token);
        Assert.Equal((JobEventKind.Progress, 30, "epoch 1"), (progress.Kind, progress.Progress, progress.ProgressMessage));

        await store.AppendLogAsync(job.Id, "loss 0.3", default);
        var log = await events.Reader.ReadAsync(timeout.Token);
        Assert.Equal((JobEventKind.Log, "loss 0.3", job.Id), (log.Kind, log.Log!.Line, log.Log.JobId));

        await store.CompleteAsync(job.Id, "w", null, default);
        var done = await events.Reader.ReadAsync(timeout.Token);
        Assert.Equal((JobEventKind.State, JobState.Succeeded, 100), (done.Kind, done.State, done.Progress));

        await Eventually.WithinAsync(watching, "the watch to end after the job succeeded");
        Assert.False(await events.Reader.WaitToReadAsync(timeout.Token));
    }

    [Theory, Sqlite, Postgres]
    public async Task A_watcher_on_another_store_sees_the_changes_by_polling(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var writer = await db.OpenStoreAsync();
        var reader = await db.OpenStoreAsync(new JobStoreOptions { WatchPollInterval = TimeSpan.FromMilliseconds(50) });
        var job = await writer.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 1 });
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        var seen = new List<JobEvent>();
        var sawQueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watching = Task.Run(async () =>
        {
            await foreach (var e in reader.WatchAsync(job.Id, timeout.Token))
            {
                seen.Add(e);
                (e.State == JobState.Running ? sawRunning : sawQueued).TrySetResult();
            }
        });

        await Eventually.WithinAsync(sawQueued.Task, "the watch to start");
        await writer.ClaimAsync(JobQueues.Training, "w", s_lease, default);
        await Eventually.WithinAsync(sawRunning.Task, "the other store's watcher to see the job running");
        await writer.AppendLogAsync(job.Id, "about to fail", default);
        await writer.FailAsync(job.Id, "w", "it broke", permanent: false, default);

        await Eventually.WithinAsync(watching, "the watch to end after the job died");
        Assert.Equal([JobState.Queued, JobState.Running, JobState.Dead], seen.Where(e => e.Kind == JobEventKind.State).Select(e => e.State));
        Assert.Equal("it broke", seen[^1].Error);
        Assert.Contains(seen, e => e.Kind == JobEventKind.Log && e.Log!.Line == "about to fail");
    }

    [Theory, Sqlite, Postgres]
    public async Task Watching_a_finished_job_yields_its_state_and_logs_then_ends(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var job = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.AppendLogAsync(job.Id, "one", default);
        await store.CancelAsync(job.Id);

        var events = new List<JobEvent>();
        await foreach (var e in store.WatchAsync(job.Id))
        {
            events.Add(e);
        }

        Assert.Equal([JobEventKind.State, JobEventKind.Log], events.Select(e => e.Kind));
        Assert.Equal(JobState.Cancelled, events[0].State);
    }

    [Theory, Sqlite, Postgres]
    public async Task Watching_a_missing_job_is_not_found(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();

        var error = await Assert.ThrowsAsync<JobException>(async () =>
        {
            await foreach (var unused in store.WatchAsync(404))
            {
            }
        });

        Assert.Equal(JobErrorKind.NotFound, error.Kind);
    }
}
