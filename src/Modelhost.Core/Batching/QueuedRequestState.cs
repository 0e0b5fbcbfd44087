namespace Modelhost.Core.Batching;

/// <summary>Where a queued request is; changed only under the batcher's lock.</summary>
internal enum QueuedRequestState
{
    /// <summary>Rented but not yet in the queue, or back in the pool.</summary>
    Idle,

    /// <summary>Waiting in the queue; cancellation and deadlines can still remove it.</summary>
    Queued,

    /// <summary>Taken into a batch; only the batch's outcome completes it now.</summary>
    Running,

    /// <summary>Removed from the queue by cancellation or its deadline.</summary>
    Removed,
}
