namespace Modelhost.Core.Batching;

/// <summary>Why an enqueue was refused; decided under the lock, turned into an exception after it.</summary>
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
}
