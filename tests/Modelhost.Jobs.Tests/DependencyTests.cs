using Modelhost.Jobs.Tests.Infrastructure;

namespace Modelhost.Jobs.Tests;

public sealed class DependencyTests
{
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(30);

    [Theory, Sqlite, Postgres]
    public async Task A_dependent_waits_until_all_its_dependencies_succeeded_then_is_queued(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var a = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var b = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        var child = await store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction, DependsOn = [b.Id, a.Id, a.Id] });

        Assert.Equal(JobState.Waiting, child.State);
        Assert.Equal([a.Id, b.Id], child.DependsOn);
        Assert.Null(await store.ClaimAsync(JobQueues.Prediction, "w", s_lease, default));

        await RunToSuccessAsync(store, JobQueues.Training, a.Id);
        Assert.Equal(JobState.Waiting, (await store.GetAsync(child.Id))!.State);
        Assert.Null(await store.ClaimAsync(JobQueues.Prediction, "w", s_lease, default));

        await RunToSuccessAsync(store, JobQueues.Training, b.Id);
        Assert.Equal(JobState.Queued, (await store.GetAsync(child.Id))!.State);
        Assert.Equal(child.Id, (await store.ClaimAsync(JobQueues.Prediction, "w", s_lease, default))!.Id);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_dependency_that_already_succeeded_lets_the_new_job_start_queued(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var parent = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await RunToSuccessAsync(store, JobQueues.Training, parent.Id);

        var child = await store.SubmitAsync(new JobSubmission { Kind = "predict", DependsOn = [parent.Id] });

        Assert.Equal(JobState.Queued, child.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_dead_dependency_cancels_its_dependents_transitively_naming_the_parent(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var parent = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 1 });
        var child = await store.SubmitAsync(new JobSubmission { Kind = "train", DependsOn = [parent.Id] });
        var grandchild = await store.SubmitAsync(new JobSubmission { Kind = "predict", DependsOn = [child.Id] });
        var unrelated = await store.SubmitAsync(new JobSubmission { Kind = "train" });

        await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);
        Assert.Equal(JobState.Dead, await store.FailAsync(parent.Id, "w", "out of memory", permanent: false, default));

        var deadParent = (await store.GetAsync(parent.Id))!;
        Assert.Equal(JobState.Dead, deadParent.State);
        Assert.Equal("out of memory", deadParent.Error);

        var childNow = (await store.GetAsync(child.Id))!;
        Assert.Equal(JobState.Cancelled, childNow.State);
        Assert.Equal($"Cancelled because job {parent.Id}, which it depends on, is dead.", childNow.Error);
        Assert.NotNull(childNow.FinishedAt);

        var grandchildNow = (await store.GetAsync(grandchild.Id))!;
        Assert.Equal(JobState.Cancelled, grandchildNow.State);
        Assert.Contains($"job {child.Id}", grandchildNow.Error, StringComparison.Ordinal);
        Assert.Contains($"job {parent.Id} is dead", grandchildNow.Error, StringComparison.Ordinal);

        Assert.Equal(JobState.Queued, (await store.GetAsync(unrelated.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task Retrying_a_dead_parent_revives_its_cancelled_dependents_and_they_run_after_it(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var parent = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 1 });
        var child = await store.SubmitAsync(new JobSubmission { Kind = "train", DependsOn = [parent.Id] });
        var grandchild = await store.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction, DependsOn = [child.Id] });
        await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);
        await store.FailAsync(parent.Id, "w", "boom", permanent: false, default);
        var userCancelled = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.CancelAsync(userCancelled.Id);

        var retried = await store.RetryAsync(parent.Id);

        Assert.Equal(JobState.Queued, retried.State);
        Assert.Equal(0, retried.Attempts);
        Assert.Null(retried.Error);
        Assert.Null(retried.FinishedAt);
        var childNow = (await store.GetAsync(child.Id))!;
        Assert.Equal(JobState.Waiting, childNow.State);
        Assert.Null(childNow.Error);
        Assert.Null(childNow.FinishedAt);
        Assert.Equal(JobState.Waiting, (await store.GetAsync(grandchild.Id))!.State);
        Assert.Equal(JobState.Cancelled, (await store.GetAsync(userCancelled.Id))!.State);

        await RunToSuccessAsync(store, JobQueues.Training, parent.Id);
        await RunToSuccessAsync(store, JobQueues.Training, child.Id);
        await RunToSuccessAsync(store, JobQueues.Prediction, grandchild.Id);
    }

    [Theory, Sqlite, Postgres]
    public async Task A_job_cancelled_because_of_two_dead_parents_waits_again_only_after_both_were_retried(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var a = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 1 });
        var b = await store.SubmitAsync(new JobSubmission { Kind = "train", MaxAttempts = 1 });
        var child = await store.SubmitAsync(new JobSubmission { Kind = "predict", DependsOn = [a.Id, b.Id] });
        await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);
        await store.ClaimAsync(JobQueues.Training, "w", s_lease, default);
        await store.FailAsync(a.Id, "w", "a failed", permanent: false, default);
        await store.FailAsync(b.Id, "w", "b failed", permanent: false, default);
        Assert.Contains($"job {a.Id}", (await store.GetAsync(child.Id))!.Error, StringComparison.Ordinal);

        await store.RetryAsync(a.Id);
        var stillCancelled = (await store.GetAsync(child.Id))!;
        Assert.Equal(JobState.Cancelled, stillCancelled.State);
        Assert.Contains($"job {b.Id}", stillCancelled.Error, StringComparison.Ordinal);

        var retryChild = await Assert.ThrowsAsync<JobException>(() => store.RetryAsync(child.Id));
        Assert.Equal(JobErrorKind.Conflict, retryChild.Kind);
        Assert.Contains($"job {b.Id}", retryChild.Message, StringComparison.Ordinal);

        await store.RetryAsync(b.Id);
        Assert.Equal(JobState.Waiting, (await store.GetAsync(child.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task Submitting_with_a_dead_or_cancelled_dependency_creates_a_cancelled_job_that_a_retry_of_the_parent_revives(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var store = await db.OpenStoreAsync();
        var parent = await store.SubmitAsync(new JobSubmission { Kind = "train" });
        await store.CancelAsync(parent.Id);

        var child = await store.SubmitAsync(new JobSubmission { Kind = "predict", DependsOn = [parent.Id] });

        Assert.Equal(JobState.Cancelled, child.State);
        Assert.Equal($"Cancelled because job {parent.Id}, which it depends on, was cancelled.", child.Error);

        await store.RetryAsync(parent.Id);
        Assert.Equal(JobState.Waiting, (await store.GetAsync(child.Id))!.State);
    }

    [Theory, Sqlite, Postgres]
    public async Task Two_dependencies_finishing_at_the_same_time_in_two_stores_queue_their_common_dependent(Backend backend)
    {
        await using var db = await TestDatabase.CreateAsync(backend);
        var one = await db.OpenStoreAsync();
        var two = await db.OpenStoreAsync();
        for (var round = 0; round < 10; round++)
        {
            var a = await one.SubmitAsync(new JobSubmission { Kind = "train" });
            var b = await one.SubmitAsync(new JobSubmission { Kind = "train" });
            var child = await one.SubmitAsync(new JobSubmission { Kind = "predict", Queue = JobQueues.Prediction, DependsOn = [a.Id, b.Id] });
            await one.ClaimAsync(JobQueues.Training, "w1", s_lease, default);
            await two.ClaimAsync(JobQueues.Training, "w2", s_lease, default);

            await Task.WhenAll(
                Task.Run(() => one.CompleteAsync(a.Id, "w1", null, default)),
                Task.Run(() => two.CompleteAsync(b.Id, "w2", null, default)));

            Assert.Equal(JobState.Queued, (await one.GetAsync(child.Id))!.State);
            await RunToSuccessAsync(one, JobQueues.Prediction, child.Id);
        }
    }

    private static async Task RunToSuccessAsync(JobStore store, string queue, long expectedId)
    {
        var job = await store.ClaimAsync(queue, "runner", s_lease, default);
        Assert.NotNull(job);
        Assert.Equal(expectedId, job.Id);
        Assert.True(await store.CompleteAsync(job.Id, "runner", null, default));
    }
}
