using System.Threading.Channels;
using Modelhost.Core.Batching;

namespace Modelhost.Core.Tests.Batching;

/// <summary>
/// A batch executor for tests: records every batch, answers request "x" with "re:x", can hold each batch until the
/// test releases it, and tracks how many batches run at once.
/// </summary>
internal sealed class RecordingExecutor
{
    /// <summary>How long a test waits for something that should happen promptly before it fails instead of hanging.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly List<RecordedBatch> _batches = [];
    private readonly List<TaskCompletionSource> _gates = [];
    private readonly Channel<RecordedBatch> _started = Channel.CreateUnbounded<RecordedBatch>();
    private int _running;
    private int _maxRunning;
    private bool _hold;

    /// <summary>When set, a batch containing a request for which this returns true throws <see cref="InvalidOperationException"/>.</summary>
    public Func<string, bool>? FailOn { get; set; }

    public int MaxConcurrentBatches
    {
        get
        {
            lock (_lock)
            {
                return _maxRunning;
            }
        }
    }

    public IReadOnlyList<RecordedBatch> Batches
    {
        get
        {
            lock (_lock)
            {
                return [.. _batches];
            }
        }
    }

    /// <summary>Makes every batch that starts from now on wait until <see cref="Release"/> or <see cref="ReleaseAll"/>.</summary>
    public void HoldBatches()
    {
        lock (_lock)
        {
            _hold = true;
        }
    }

    public void Release(int index)
    {
        lock (_lock)
        {
            _gates[index].TrySetResult();
        }
    }

    public void ReleaseAll()
    {
        lock (_lock)
        {
            _hold = false;
            foreach (TaskCompletionSource gate in _gates)
            {
                gate.TrySetResult();
            }
        }
    }

    /// <summary>Waits for the next batch to reach the executor, in start order.</summary>
    public async Task<RecordedBatch> NextBatchAsync() => await _started.Reader.ReadAsync().AsTask().WaitAsync(Guard);

    public async ValueTask<string[]> ExecuteAsync(Batch<string> batch, CancellationToken cancellationToken)
    {
        RecordedBatch recorded;
        TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            recorded = new RecordedBatch(_batches.Count, batch.Requests.ToArray(), batch.RowCounts.ToArray(), batch.Rows);
            _batches.Add(recorded);
            _gates.Add(gate);
            if (!_hold)
            {
                gate.TrySetResult();
            }

            _running++;
            _maxRunning = Math.Max(_maxRunning, _running);
        }

        _started.Writer.TryWrite(recorded);
        try
        {
            await gate.Task.WaitAsync(cancellationToken);
            foreach (string request in recorded.Requests)
            {
                if (FailOn?.Invoke(request) == true)
                {
                    throw new InvalidOperationException($"The model failed on {request}.");
                }
            }

            string[] responses = new string[recorded.Requests.Length];
            for (int i = 0; i < responses.Length; i++)
            {
                responses[i] = "re:" + recorded.Requests[i];
            }

            return responses;
        }
        finally
        {
            lock (_lock)
            {
                _running--;
            }
        }
    }
}
