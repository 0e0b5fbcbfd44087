namespace Modelhost.Core.Batching;

/// <summary>One batch on its way through the executor; pooled by the batcher, which never has more than Instances of them busy.</summary>
internal sealed class BatchRun<TRequest, TResponse> : IThreadPoolWorkItem
{
    private readonly DynamicBatcher<TRequest, TResponse> _owner;
    private readonly QueuedRequest<TRequest, TResponse>[] _entries;
    private readonly TRequest[] _requests;
    private readonly int[] _rowCounts;

    public BatchRun(DynamicBatcher<TRequest, TResponse> owner, int maxBatchSize)
    {
        // Every request holds at least one row, so a batch never holds more than maxBatchSize requests.
        _owner = owner;
        _entries = new QueuedRequest<TRequest, TResponse>[maxBatchSize];
        _requests = new TRequest[maxBatchSize];
        _rowCounts = new int[maxBatchSize];
    }

    public int Count { get; private set; }

    public int Rows { get; private set; }

    /// <summary>Chains batches formed under the lock that are started once it is released.</summary>
    public BatchRun<TRequest, TResponse>? NextToStart { get; set; }

    public Batch<TRequest> Batch => new(_requests.AsMemory(0, Count), _rowCounts.AsMemory(0, Count), Rows);

    public void Add(QueuedRequest<TRequest, TResponse> entry)
    {
        _entries[Count] = entry;
        _requests[Count] = entry.Request;
        _rowCounts[Count] = entry.Rows;
        Count++;
        Rows += entry.Rows;
    }

    public QueuedRequest<TRequest, TResponse> GetEntry(int index) => _entries[index];

    /// <summary>Drops references so a pooled run does not keep finished requests and their payloads alive.</summary>
    public void Clear()
    {
        Array.Clear(_entries, 0, Count);
        Array.Clear(_requests, 0, Count);
        Count = 0;
        Rows = 0;
        NextToStart = null;
    }

    void IThreadPoolWorkItem.Execute() => _ = _owner.RunBatchAsync(this);
}
