namespace Modelhost.Core.Batching;

/// <summary>Why a request ended without running: an enqueue refused under the lock, or a queued request cancelled or expired.</summary>
internal enum RejectReason
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>The batcher is stopping.</summary>
    Stopping,

    /// <summary>The queue holds its limit of requests.</summary>
    QueueFull,

    /// <summary>The request's deadline had already passed.</summary>
    Deadline,

    /// <summary>The caller cancelled before the request ran.</summary>
    Canceled,
}
