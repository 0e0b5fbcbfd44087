using Microsoft.Extensions.Logging.Abstractions;
using Modelhost.Core.Batching;

namespace Modelhost.Core.Tests.Batching;

// Batches are formed synchronously inside EnqueueAsync, the timer callback (ManualTimeProvider.Advance) and batch
// completion, so QueuedRequests read right after one of those is exact; only the executor runs on other threads.
public sealed class DynamicBatcherTests
{
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);

    private readonly ManualTimeProvider _time = new();
    private readonly RecordingExecutor _executor = new();

    [Fact]
    public async Task Requests_are_merged_in_queue_order_and_each_caller_gets_its_own_response()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMilliseconds(10) });

        ValueTask<string> a = batcher.EnqueueAsync("a", 1, null, default);
        ValueTask<string> b = batcher.EnqueueAsync("b", 1, null, default);
        ValueTask<string> c = batcher.EnqueueAsync("c", 1, null, default);
        Assert.Equal(3, batcher.QueuedRequests);

        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal("re:c", await Within(c));
        Assert.Equal("re:a", await Within(a));
        Assert.Equal("re:b", await Within(b));
        RecordedBatch batch = Assert.Single(_executor.Batches);
        Assert.Equal(["a", "b", "c"], batch.Requests);
        Assert.Equal(3, batch.Rows);
    }

    [Fact]
    public async Task The_executors_response_i_goes_to_request_i()
    {
        await using var batcher = new DynamicBatcher<string, string>(
            new BatcherOptions { MaxBatchSize = 3, MaxQueueDelay = Long },
            static (batch, _) =>
            {
                string[] responses = new string[batch.Count];
                for (int i = 0; i < responses.Length; i++)
                {
                    responses[i] = $"{i} of {batch.Count}";
                }

                return ValueTask.FromResult(responses);
            },
            _time,
            NullLogger.Instance);

        ValueTask<string> first = batcher.EnqueueAsync("x", 1, null, default);
        ValueTask<string> second = batcher.EnqueueAsync("y", 1, null, default);
        ValueTask<string> third = batcher.EnqueueAsync("z", 1, null, default);

        Assert.Equal("0 of 3", await Within(first));
        Assert.Equal("1 of 3", await Within(second));
        Assert.Equal("2 of 3", await Within(third));
    }

    [Fact]
    public async Task A_full_batch_is_sent_without_waiting_for_the_delay()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 4, MaxQueueDelay = Long });

        ValueTask<string>[] calls = EnqueueMany(batcher, "r", 4);

        Assert.Equal(0, batcher.QueuedRequests);
        await WithinAll(calls);
        Assert.Equal(4, Assert.Single(_executor.Batches).Rows);
    }

    [Fact]
    public async Task A_partial_batch_waits_for_the_max_queue_delay_then_goes()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMilliseconds(100) });

        ValueTask<string> a = batcher.EnqueueAsync("a", 1, null, default);
        _time.Advance(TimeSpan.FromMilliseconds(40));
        ValueTask<string> b = batcher.EnqueueAsync("b", 1, null, default);

        // The delay counts from the oldest request, not the newest.
        _time.Advance(TimeSpan.FromMilliseconds(59));
        Assert.Equal(2, batcher.QueuedRequests);
        Assert.False(a.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, batcher.QueuedRequests);
        Assert.Equal("re:a", await Within(a));
        Assert.Equal("re:b", await Within(b));
        Assert.Equal(["a", "b"], Assert.Single(_executor.Batches).Requests);
    }

    [Fact]
    public async Task A_zero_delay_sends_whatever_is_queued_at_once()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.Zero });

        ValueTask<string> a = batcher.EnqueueAsync("a", 1, null, default);

        Assert.Equal(0, batcher.QueuedRequests);
        Assert.Equal("re:a", await Within(a));
    }

    [Fact]
    public async Task Multi_row_requests_count_by_rows_and_are_never_split()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromMilliseconds(50) });

        ValueTask<string> three = batcher.EnqueueAsync("three", 3, null, default);
        Assert.Equal(1, batcher.QueuedRequests);

        // Two more rows do not fit beside three, so the first batch cannot grow and goes at once.
        ValueTask<string> two = batcher.EnqueueAsync("two", 2, null, default);
        Assert.Equal(1, batcher.QueuedRequests);
        Assert.Equal("re:three", await Within(three));

        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal("re:two", await Within(two));

        IReadOnlyList<RecordedBatch> batches = _executor.Batches;
        Assert.Equal(2, batches.Count);
        Assert.Equal(["three"], batches[0].Requests);
        Assert.Equal([3], batches[0].RowCounts);
        Assert.Equal(["two"], batches[1].Requests);
        Assert.Equal(2, batches[1].Rows);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(5)]
    public async Task A_request_with_rows_outside_one_to_MaxBatchSize_is_rejected(int rows)
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 4 });

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => batcher.EnqueueAsync("r", rows, null, default));

        Assert.Equal("rows", error.ParamName);
        Assert.Equal(0, batcher.QueuedRequests);
    }

    [Fact]
    public async Task A_batch_of_a_preferred_size_is_sent_without_waiting_for_the_delay()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = Long, PreferredBatchSizes = [2, 4] });

        ValueTask<string> a = batcher.EnqueueAsync("a", 1, null, default);
        Assert.Equal(1, batcher.QueuedRequests);
        ValueTask<string> b = batcher.EnqueueAsync("b", 1, null, default);

        Assert.Equal(0, batcher.QueuedRequests);
        await WithinAll([a, b]);
        Assert.Equal(2, Assert.Single(_executor.Batches).Rows);
    }

    [Fact]
    public async Task The_largest_preferred_batch_the_queue_can_form_is_sent()
    {
        _executor.HoldBatches();
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = Long, PreferredBatchSizes = [2, 4], Instances = 1 });
        ValueTask<string> first = batcher.EnqueueAsync("first", 2, null, default);
        Assert.Equal(0, (await _executor.NextBatchAsync()).Index);

        // While the only instance is busy, five rows queue: prefixes of 2 and 4 rows are both preferred.
        ValueTask<string>[] queued = EnqueueMany(batcher, "q", 5);
        Assert.Equal(5, batcher.QueuedRequests);
        _executor.Release(0);

        RecordedBatch second = await _executor.NextBatchAsync();
        Assert.Equal(["q0", "q1", "q2", "q3"], second.Requests);
        Assert.Equal(1, batcher.QueuedRequests);

        _executor.ReleaseAll();
        _time.Advance(Long);
        await Within(first);
        await WithinAll(queued);
        Assert.Equal(["q4"], _executor.Batches[2].Requests);
    }

    [Fact]
    public async Task When_the_delay_expires_the_largest_batch_that_fits_is_sent_even_if_no_size_is_preferred()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMilliseconds(5), PreferredBatchSizes = [4] });

        ValueTask<string> a = batcher.EnqueueAsync("a", 3, null, default);
        ValueTask<string> b = batcher.EnqueueAsync("b", 3, null, default);
        Assert.Equal(2, batcher.QueuedRequests);

        _time.Advance(TimeSpan.FromMilliseconds(5));

        await WithinAll([a, b]);
        Assert.Equal(6, Assert.Single(_executor.Batches).Rows);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task No_more_than_Instances_batches_execute_at_once(int instances)
    {
        _executor.HoldBatches();
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero, Instances = instances });

        ValueTask<string>[] calls = EnqueueMany(batcher, "r", 5);
        Assert.Equal(5 - instances, batcher.QueuedRequests);
        Assert.Equal(instances, batcher.RunningBatches);

        for (int i = 0; i < 5; i++)
        {
            RecordedBatch started = await _executor.NextBatchAsync();
            _executor.Release(started.Index);
        }

        await WithinAll(calls);
        Assert.Equal(instances, _executor.MaxConcurrentBatches);
        Assert.Equal(5, batcher.GetBatchSizeCounts()[1]);
    }

    [Fact]
    public async Task Requests_arriving_while_every_instance_is_busy_form_a_bigger_batch()
    {
        _executor.HoldBatches();
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.Zero, Instances = 1 });

        ValueTask<string> first = batcher.EnqueueAsync("first", 1, null, default);
        await _executor.NextBatchAsync();
        ValueTask<string>[] later = EnqueueMany(batcher, "later", 3);
        Assert.Equal(3, batcher.QueuedRequests);

        _executor.ReleaseAll();

        await Within(first);
        await WithinAll(later);
        Assert.Equal(["later0", "later1", "later2"], _executor.Batches[1].Requests);
    }

    [Fact]
    public async Task When_an_instance_frees_up_the_requests_that_waited_the_delay_go_at_once_up_to_MaxBatchSize()
    {
        _executor.HoldBatches();
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromMilliseconds(10), Instances = 1 });

        ValueTask<string>[] first = EnqueueMany(batcher, "a", 4);
        RecordedBatch running = await _executor.NextBatchAsync();
        ValueTask<string>[] waiting = EnqueueMany(batcher, "b", 6);

        // The delay passes while the only instance is busy: nothing can go yet.
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(6, batcher.QueuedRequests);

        // Its completion sends at once the most that fits, as Triton does; the rest waits for the instance again.
        _executor.Release(running.Index);
        RecordedBatch next = await _executor.NextBatchAsync();
        Assert.Equal(["b0", "b1", "b2", "b3"], next.Requests);
        Assert.Equal(2, batcher.QueuedRequests);

        _executor.ReleaseAll();
        await WithinAll(first);
        await WithinAll(waiting);
        Assert.Equal(["b4", "b5"], _executor.Batches[2].Requests);
    }

    [Fact]
    public async Task A_free_instance_still_waits_for_a_full_batch_until_the_delay_so_a_long_delay_keeps_batches_full()
    {
        _executor.HoldBatches();
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 4, MaxQueueDelay = Long, Instances = 2 });

        ValueTask<string>[] first = EnqueueMany(batcher, "a", 4);
        RecordedBatch running = await _executor.NextBatchAsync();
        ValueTask<string>[] partial = EnqueueMany(batcher, "b", 3);
        Assert.Equal(1, batcher.RunningBatches);
        Assert.Equal(3, batcher.QueuedRequests);

        // A batch completing frees an instance, but three rows are not a batch yet.
        _executor.Release(running.Index);
        await WithinAll(first);
        await Until(() => batcher.RunningBatches == 0);
        Assert.Equal(3, batcher.QueuedRequests);

        ValueTask<string> last = batcher.EnqueueAsync("c", 1, null, default);
        RecordedBatch full = await _executor.NextBatchAsync();
        Assert.Equal(["b0", "b1", "b2", "c"], full.Requests);

        _executor.ReleaseAll();
        await WithinAll(partial);
        await Within(last);
        Assert.Equal(2, batcher.GetBatchSizeCounts()[4]);
    }

    [Fact]
    public async Task A_full_queue_rejects_at_once_with_QueueFull_and_a_RetryAfter()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMilliseconds(20), MaxQueueSize = 2 });
        ValueTask<string>[] accepted = EnqueueMany(batcher, "ok", 2);

        ValueTask<string> rejected = batcher.EnqueueAsync("rejected", 1, null, default);

        Assert.True(rejected.IsCompleted);
        InferenceException error = await Assert.ThrowsAsync<InferenceException>(() => rejected.AsTask());
        Assert.Equal(InferenceErrorKind.QueueFull, error.Kind);
        Assert.NotNull(error.RetryAfter);
        Assert.True(error.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.Equal(0, error.RetryAfter.Value.Ticks % TimeSpan.TicksPerSecond);
        Assert.Equal(2, batcher.QueuedRequests);

        _time.Advance(TimeSpan.FromMilliseconds(20));
        await WithinAll(accepted);
        ValueTask<string> again = batcher.EnqueueAsync("again", 1, null, default);
        _time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal("re:again", await Within(again));
    }

    [Fact]
    public async Task A_zero_MaxQueueSize_still_has_a_limit()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueSize = 0 });

        Assert.Equal(BatcherOptions.DefaultMaxQueueSize, batcher.QueueCapacity);
    }

    [Fact]
    public async Task A_request_whose_deadline_passes_in_the_queue_fails_with_DeadlineExceeded_and_never_reaches_the_executor()
    {
        _executor.HoldBatches();
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero, Instances = 1 });
        ValueTask<string> running = batcher.EnqueueAsync("running", 1, null, default);
        await _executor.NextBatchAsync();

        ValueTask<string> late = batcher.EnqueueAsync("late", 1, batcher.GetDeadline(TimeSpan.FromMilliseconds(50)), default);
        ValueTask<string> patient = batcher.EnqueueAsync("patient", 1, batcher.GetDeadline(Long), default);
        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(late.IsCompleted);

        // No batch can form while the only instance is busy: the timer alone must expire the request.
        _time.Advance(TimeSpan.FromMilliseconds(1));
        InferenceException error = await Assert.ThrowsAsync<InferenceException>(() => Within(late));
        Assert.Equal(InferenceErrorKind.DeadlineExceeded, error.Kind);
        Assert.Contains("waited 50 ms in the queue", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, batcher.QueuedRequests);

        _executor.ReleaseAll();
        await Within(running);
        Assert.Equal("re:patient", await Within(patient));
        foreach (RecordedBatch batch in _executor.Batches)
        {
            Assert.DoesNotContain("late", batch.Requests);
        }
    }

    [Fact]
    public async Task A_request_whose_deadline_has_already_passed_fails_at_once()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = Long });
        long deadline = batcher.GetDeadline(TimeSpan.Zero);

        ValueTask<string> call = batcher.EnqueueAsync("late", 1, deadline, default);

        Assert.True(call.IsCompleted);
        InferenceException error = await Assert.ThrowsAsync<InferenceException>(() => call.AsTask());
        Assert.Equal(InferenceErrorKind.DeadlineExceeded, error.Kind);
        Assert.Equal(0, batcher.QueuedRequests);
    }

    [Fact]
    public async Task Expired_requests_leave_the_rest_of_the_queue_in_order()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMilliseconds(30) });

        ValueTask<string> a = batcher.EnqueueAsync("a", 1, null, default);
        ValueTask<string> b = batcher.EnqueueAsync("b", 1, batcher.GetDeadline(TimeSpan.FromMilliseconds(10)), default);
        ValueTask<string> c = batcher.EnqueueAsync("c", 1, batcher.GetDeadline(TimeSpan.FromMilliseconds(60)), default);
        _time.Advance(TimeSpan.FromMilliseconds(30));

        await Assert.ThrowsAsync<InferenceException>(() => Within(b));
        await WithinAll([a, c]);
        Assert.Equal(["a", "c"], Assert.Single(_executor.Batches).Requests);
    }

    [Fact]
    public async Task Deadlines_of_many_removed_requests_do_not_disturb_the_expiry_of_the_rest()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 1000, MaxQueueDelay = Long });
        using var cancellation = new CancellationTokenSource();

        // An earlier live deadline keeps the removed requests' entries buried in the heap, so they pile up.
        ValueTask<string> anchor = batcher.EnqueueAsync("anchor", 1, batcher.GetDeadline(TimeSpan.FromMilliseconds(5)), default);
        var removed = new ValueTask<string>[100];
        for (int i = 0; i < removed.Length; i++)
        {
            removed[i] = batcher.EnqueueAsync("removed", 1, batcher.GetDeadline(Long), cancellation.Token);
        }

        await cancellation.CancelAsync();
        var expiring = new ValueTask<string>[100];
        for (int i = 0; i < expiring.Length; i++)
        {
            expiring[i] = batcher.EnqueueAsync("expiring", 1, batcher.GetDeadline(TimeSpan.FromMilliseconds(10 + i)), default);
        }

        ValueTask<string> survivor = batcher.EnqueueAsync("survivor", 1, null, default);
        Assert.Equal(102, batcher.QueuedRequests);

        _time.Advance(TimeSpan.FromMilliseconds(109));

        Assert.Equal(1, batcher.QueuedRequests);
        await Assert.ThrowsAsync<InferenceException>(() => Within(anchor));
        foreach (ValueTask<string> call in removed)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(call));
        }

        foreach (ValueTask<string> call in expiring)
        {
            InferenceException error = await Assert.ThrowsAsync<InferenceException>(() => Within(call));
            Assert.Equal(InferenceErrorKind.DeadlineExceeded, error.Kind);
        }

        _time.Advance(Long);
        Assert.Equal("re:survivor", await Within(survivor));
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_completes_as_cancelled_and_never_reaches_the_executor()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMilliseconds(100) });
        using var cancellation = new CancellationTokenSource();

        ValueTask<string> a = batcher.EnqueueAsync("a", 1, null, default);
        ValueTask<string> b = batcher.EnqueueAsync("b", 1, null, cancellation.Token);
        ValueTask<string> c = batcher.EnqueueAsync("c", 1, null, default);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(b));
        Assert.Equal(2, batcher.QueuedRequests);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        await WithinAll([a, c]);
        Assert.Equal(["a", "c"], Assert.Single(_executor.Batches).Requests);
    }

    [Fact]
    public async Task A_request_with_an_already_cancelled_token_is_not_queued()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = Long });

        ValueTask<string> call = batcher.EnqueueAsync("r", 1, null, new CancellationToken(canceled: true));

        Assert.True(call.IsCanceled);
        Assert.Equal(0, batcher.QueuedRequests);
    }

    [Fact]
    public async Task Cancelling_a_request_whose_batch_is_running_does_not_cancel_the_batch()
    {
        _executor.HoldBatches();
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 2, MaxQueueDelay = TimeSpan.Zero });
        using var cancellation = new CancellationTokenSource();

        ValueTask<string> call = batcher.EnqueueAsync("r", 1, null, cancellation.Token);
        await _executor.NextBatchAsync();
        await cancellation.CancelAsync();
        _executor.ReleaseAll();

        Assert.Equal("re:r", await Within(call));
    }

    [Fact]
    public async Task An_executor_failure_fails_only_that_batchs_requests_and_the_batcher_keeps_working()
    {
        _executor.FailOn = static request => request == "bad";
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 2, MaxQueueDelay = Long });

        ValueTask<string> bad = batcher.EnqueueAsync("bad", 1, null, default);
        ValueTask<string> neighbour = batcher.EnqueueAsync("neighbour", 1, null, default);
        ValueTask<string> next = batcher.EnqueueAsync("next", 1, null, default);
        ValueTask<string> other = batcher.EnqueueAsync("other", 1, null, default);

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => Within(bad));
        Assert.Same(error, await Assert.ThrowsAsync<InvalidOperationException>(() => Within(neighbour)));
        Assert.Equal("re:next", await Within(next));
        Assert.Equal("re:other", await Within(other));

        ValueTask<string>[] after = EnqueueMany(batcher, "after", 2);
        await WithinAll(after);
        Assert.Equal(3, _executor.Batches.Count);
    }

    [Fact]
    public async Task An_executor_returning_the_wrong_number_of_responses_fails_the_batch_as_Internal()
    {
        await using var batcher = new DynamicBatcher<string, string>(
            new BatcherOptions { MaxBatchSize = 2, MaxQueueDelay = Long },
            static (_, _) => ValueTask.FromResult(new[] { "only one" }),
            _time,
            NullLogger.Instance);

        ValueTask<string> a = batcher.EnqueueAsync("a", 1, null, default);
        ValueTask<string> b = batcher.EnqueueAsync("b", 1, null, default);

        InferenceException error = await Assert.ThrowsAsync<InferenceException>(() => Within(a));
        Assert.Equal(InferenceErrorKind.Internal, error.Kind);
        await Assert.ThrowsAsync<InferenceException>(() => Within(b));
    }

    [Fact]
    public async Task Dispose_sends_queued_requests_at_once_waits_for_running_batches_and_refuses_new_ones()
    {
        _executor.HoldBatches();
        var batcher = Create(new BatcherOptions { MaxBatchSize = 1, MaxQueueDelay = Long, Instances = 1 });
        ValueTask<string> running = batcher.EnqueueAsync("running", 1, null, default);
        await _executor.NextBatchAsync();
        ValueTask<string> queued = batcher.EnqueueAsync("queued", 1, null, default);

        Task disposing = batcher.DisposeAsync().AsTask();

        Assert.False(disposing.IsCompleted);
        InferenceException refused = await Assert.ThrowsAsync<InferenceException>(() => batcher.EnqueueAsync("refused", 1, null, default).AsTask());
        Assert.Equal(InferenceErrorKind.Unavailable, refused.Kind);
        Assert.Contains("shutting down", refused.Message, StringComparison.Ordinal);

        _executor.Release(0);
        Assert.Equal("re:running", await Within(running));
        await _executor.NextBatchAsync();
        Assert.False(disposing.IsCompleted);

        _executor.ReleaseAll();
        Assert.Equal("re:queued", await Within(queued));
        await disposing.WaitAsync(RecordingExecutor.Guard);
        Assert.Equal(0, _time.ArmedTimers);
    }

    [Fact]
    public async Task Dispose_of_a_partial_batch_does_not_wait_for_the_delay()
    {
        var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = Long });
        ValueTask<string> queued = batcher.EnqueueAsync("queued", 1, null, default);

        await batcher.DisposeAsync().AsTask().WaitAsync(RecordingExecutor.Guard);

        Assert.Equal("re:queued", await Within(queued));
    }

    [Fact]
    public async Task Batch_size_counts_report_the_batches_actually_formed()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.FromMilliseconds(1) });

        await WithinAll(EnqueueMany(batcher, "full", 4));
        ValueTask<string>[] pair = EnqueueMany(batcher, "pair", 2);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await WithinAll(pair);

        long[] counts = batcher.GetBatchSizeCounts();
        Assert.Equal([0, 0, 1, 0, 1], counts);
        Assert.Equal(2, batcher.BatchesExecuted);
    }

    [Fact]
    public async Task An_idle_batcher_has_no_timer_armed()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 2, MaxQueueDelay = Long });

        Assert.Equal(0, _time.ArmedTimers);
        await WithinAll(EnqueueMany(batcher, "r", 2));

        Assert.Equal(0, _time.ArmedTimers);
    }

    [Theory]
    [InlineData(0, 0, 1, 0)]
    [InlineData(4, -1, 1, 0)]
    [InlineData(4, 0, 0, 0)]
    [InlineData(4, 0, 1, -1)]
    public void Options_out_of_range_are_rejected(int maxBatchSize, int delayMilliseconds, int instances, int maxQueueSize)
    {
        var options = new BatcherOptions
        {
            MaxBatchSize = maxBatchSize,
            MaxQueueDelay = TimeSpan.FromMilliseconds(delayMilliseconds),
            Instances = instances,
            MaxQueueSize = maxQueueSize,
        };

        Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
    }

    [Fact]
    public void Preferred_sizes_above_MaxBatchSize_are_rejected()
    {
        var options = new BatcherOptions { MaxBatchSize = 4, PreferredBatchSizes = [2, 8] };

        Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
    }

    [Fact]
    public async Task Concurrent_callers_each_get_their_own_response_and_batches_respect_every_limit()
    {
        // Real time and real threads: the assertions are invariants only, never speed, so a slow machine cannot fail them.
        var executor = new RecordingExecutor();
        await using var batcher = new DynamicBatcher<string, string>(
            new BatcherOptions { MaxBatchSize = 16, MaxQueueDelay = TimeSpan.FromMilliseconds(1), PreferredBatchSizes = [8], Instances = 2 },
            executor.ExecuteAsync,
            TimeProvider.System,
            NullLogger.Instance);

        const int Producers = 4;
        const int PerProducer = 300;
        int completed = 0;
        int failed = 0;
        var producers = new Task[Producers];
        for (int p = 0; p < Producers; p++)
        {
            int producer = p;
            producers[p] = Task.Run(async () =>
            {
                var random = new Random(producer);
                for (int i = 0; i < PerProducer; i++)
                {
                    string request = $"{producer}:{i}";
                    using var cancellation = new CancellationTokenSource();
                    long? deadline = i % 7 == 0 ? batcher.GetDeadline(TimeSpan.FromMilliseconds(random.Next(0, 3))) : null;
                    ValueTask<string> call = batcher.EnqueueAsync(request, random.Next(1, 5), deadline, cancellation.Token);
                    if (i % 10 == 0)
                    {
                        await cancellation.CancelAsync();
                    }

                    try
                    {
                        Assert.Equal("re:" + request, await call);
                        Interlocked.Increment(ref completed);
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                    catch (InferenceException error) when (error.Kind == InferenceErrorKind.DeadlineExceeded)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            });
        }

        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Producers * PerProducer, completed + failed);
        Assert.True(executor.MaxConcurrentBatches <= 2);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int executed = 0;
        foreach (RecordedBatch batch in executor.Batches)
        {
            Assert.InRange(batch.Rows, 1, 16);
            foreach (string request in batch.Requests)
            {
                Assert.True(seen.Add(request), $"{request} reached the executor twice.");
                executed++;
            }
        }

        Assert.Equal(completed, executed);
        Assert.Equal(0, batcher.QueuedRequests);
    }

    private static ValueTask<string>[] EnqueueMany(DynamicBatcher<string, string> batcher, string prefix, int count)
    {
        var calls = new ValueTask<string>[count];
        for (int i = 0; i < count; i++)
        {
            calls[i] = batcher.EnqueueAsync(prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, null, default);
        }

        return calls;
    }

    [Fact]
    public async Task A_lone_request_whose_caller_only_waits_runs_on_the_callers_thread_and_is_answered_at_once()
    {
        var threads = new List<int>();
        await using var batcher = new DynamicBatcher<string, string>(
            new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.Zero },
            (batch, _) =>
            {
                lock (threads)
                {
                    threads.Add(Environment.CurrentManagedThreadId);
                }

                return ValueTask.FromResult(new[] { "re:" + batch.Requests.Span[0] });
            },
            _time,
            NullLogger.Instance);

        ValueTask<string> call = batcher.EnqueueAsync("a", 1, null, default, runAloneOnCaller: true);

        Assert.True(call.IsCompletedSuccessfully);
        Assert.Equal("re:a", await call);
        Assert.Equal([Environment.CurrentManagedThreadId], threads);
        Assert.Equal(1, batcher.BatchesExecuted);
        Assert.Equal(0, batcher.RunningBatches);
    }

    [Fact]
    public async Task Without_runAloneOnCaller_a_lone_batch_never_runs_on_the_enqueuing_thread()
    {
        using var ran = new ManualResetEventSlim();
        var thread = 0;
        await using var batcher = new DynamicBatcher<string, string>(
            new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.Zero },
            (batch, _) =>
            {
                thread = Environment.CurrentManagedThreadId;
                ran.Set();
                return ValueTask.FromResult(new[] { "re:" + batch.Requests.Span[0] });
            },
            _time,
            NullLogger.Instance);

        var caller = Environment.CurrentManagedThreadId;
        Assert.Equal("re:a", await Within(batcher.EnqueueAsync("a", 1, null, default)));
        Assert.True(ran.Wait(RecordingExecutor.Guard));
        Assert.NotEqual(caller, thread);
    }

    [Fact]
    public async Task Requests_arriving_while_a_caller_runs_its_lone_batch_queue_and_go_together_when_it_ends()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.Zero });
        _executor.HoldBatches();

        // The held executor goes asynchronous, so the first call returns pending with its batch running.
        ValueTask<string> first = batcher.EnqueueAsync("a", 1, null, default, runAloneOnCaller: true);
        Assert.False(first.IsCompleted);
        Assert.Equal(["a"], (await _executor.NextBatchAsync()).Requests);
        Assert.Equal(1, batcher.RunningBatches);

        // The only instance is busy: these queue, even though their callers would run them inline.
        ValueTask<string> second = batcher.EnqueueAsync("b", 1, null, default, runAloneOnCaller: true);
        ValueTask<string> third = batcher.EnqueueAsync("c", 1, null, default, runAloneOnCaller: true);
        Assert.Equal(2, batcher.QueuedRequests);

        _executor.ReleaseAll();
        Assert.Equal("re:a", await Within(first));
        Assert.Equal("re:b", await Within(second));
        Assert.Equal("re:c", await Within(third));
        Assert.Equal(["b", "c"], _executor.Batches[1].Requests);
        Assert.Equal(2, _executor.Batches.Count);
    }

    [Fact]
    public async Task A_request_that_joins_others_in_its_batch_is_not_run_on_its_callers_thread()
    {
        await using var batcher = Create(new BatcherOptions { MaxBatchSize = 2, MaxQueueDelay = Long });

        // The first waits for the delay; the second fills the batch, which holds a request other than the caller's.
        ValueTask<string> first = batcher.EnqueueAsync("a", 1, null, default);
        ValueTask<string> second = batcher.EnqueueAsync("b", 1, null, default, runAloneOnCaller: true);

        Assert.Equal("re:a", await Within(first));
        Assert.Equal("re:b", await Within(second));
        Assert.Equal(["a", "b"], Assert.Single(_executor.Batches).Requests);
    }

    private static Task<string> Within(ValueTask<string> call) => call.AsTask().WaitAsync(RecordingExecutor.Guard);

    /// <summary>Waits for a condition that a batch's completion sets on the executor's thread, or fails after the guard.</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + RecordingExecutor.Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true in time");
            await Task.Delay(1);
        }
    }

    private static async Task WithinAll(ValueTask<string>[] calls)
    {
        foreach (ValueTask<string> call in calls)
        {
            Assert.StartsWith("re:", await Within(call), StringComparison.Ordinal);
        }
    }

    private DynamicBatcher<string, string> Create(BatcherOptions options) =>
        new(options, _executor.ExecuteAsync, _time, NullLogger.Instance);
}
