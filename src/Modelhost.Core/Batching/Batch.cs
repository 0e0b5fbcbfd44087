namespace Modelhost.Core.Batching;

/// <summary>The requests of one batch, in queue order, as handed to the executor.</summary>
/// <remarks>
/// The memory is pooled by the batcher: it is valid only until the executor's task completes,
/// so an executor that needs the requests later copies them.
/// </remarks>
internal readonly struct Batch<TRequest>
{
    internal Batch(ReadOnlyMemory<TRequest> requests, ReadOnlyMemory<int> rowCounts, int rows)
    {
        Requests = requests;
        RowCounts = rowCounts;
        Rows = rows;
    }

    /// <summary>The requests, oldest first.</summary>
    public ReadOnlyMemory<TRequest> Requests { get; }

    /// <summary>How many rows each request holds, parallel to <see cref="Requests"/>, so outputs can be split back.</summary>
    public ReadOnlyMemory<int> RowCounts { get; }

    /// <summary>How many requests the batch holds.</summary>
    public int Count => Requests.Length;

    /// <summary>The total rows of all requests; at most the batcher's MaxBatchSize.</summary>
    public int Rows { get; }
}
