using Microsoft.Extensions.Logging;

namespace Modelhost.Core.Batching;

/// <summary>Log messages of the dynamic batcher; event ids 2100-2199 are reserved for it.</summary>
internal static partial class BatcherLog
{
    [LoggerMessage(EventId = 2100, EventName = "BatchFailed", Level = LogLevel.Error,
        Message = "A batch of {Requests} requests ({Rows} rows) failed; every request in it fails with the same error.")]
    public static partial void BatchFailed(ILogger logger, int requests, int rows, Exception exception);

    [LoggerMessage(EventId = 2101, EventName = "RequestExpired", Level = LogLevel.Debug,
        Message = "A request's deadline passed after it waited {WaitedMilliseconds} ms in the queue.")]
    public static partial void RequestExpired(ILogger logger, long waitedMilliseconds);

    [LoggerMessage(EventId = 2102, EventName = "QueueFull", Level = LogLevel.Debug,
        Message = "Rejected a request: the queue holds {Queued} requests; the client may retry after {RetryAfterSeconds} s.")]
    public static partial void QueueFull(ILogger logger, int queued, double retryAfterSeconds);

    [LoggerMessage(EventId = 2103, EventName = "BatchStarted", Level = LogLevel.Trace,
        Message = "Started a batch of {Requests} requests ({Rows} rows).")]
    public static partial void BatchStarted(ILogger logger, int requests, int rows);

    [LoggerMessage(EventId = 2104, EventName = "Draining", Level = LogLevel.Information,
        Message = "Stopping the batcher: draining {Queued} queued requests and {Running} running batches.")]
    public static partial void Draining(ILogger logger, int queued, int running);

    [LoggerMessage(EventId = 2105, EventName = "Drained", Level = LogLevel.Information,
        Message = "The batcher has drained and stopped.")]
    public static partial void Drained(ILogger logger);
}
