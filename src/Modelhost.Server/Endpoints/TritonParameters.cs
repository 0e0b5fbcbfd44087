namespace Modelhost.Server.Endpoints;

/// <summary>
/// The request parameters that Triton's clients send (<c>tritonclient.http</c> and <c>tritonclient.grpc</c> alike) and
/// that Modelhost reads the same way over HTTP and gRPC.
/// </summary>
internal static class TritonParameters
{
    /// <summary>
    /// Triton's clients send <c>sequence_id</c> only for a stateful model, whose requests must reach the same instance in
    /// order. Modelhost batches every request on its own, so it refuses a sequence rather than break one silently, as
    /// Triton does for a model without a sequence batcher.
    /// </summary>
    public const string SequenceRefused =
        "parameters.sequence_id: Modelhost has no sequence batcher (it serves no stateful models), so a request cannot belong to a sequence; leave sequence_id unset or 0";

    /// <summary>Triton's <c>timeout</c>: microseconds in the queue, 0 for none; null for 0.</summary>
    public static TimeSpan? Microseconds(long value) =>
        value > 0 ? TimeSpan.FromMicroseconds(Math.Min(value, (long)int.MaxValue * 1000)) : null;

    /// <summary>The shorter of two deadlines, so that every way a client sets one can only shorten it.</summary>
    public static TimeSpan? Shorter(TimeSpan? current, TimeSpan? next) =>
        current is { } c && (next is null || c <= next) ? c : next;
}
