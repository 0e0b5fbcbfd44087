using Modelhost.Core.Tensors;

namespace Modelhost.Core.Inference;

/// <summary>A request to run one model version: named inputs, an optional selection of outputs, a deadline.</summary>
/// <remarks>The request owns its input tensors and returns their pooled buffers on <see cref="Dispose"/>.</remarks>
public sealed class InferenceRequest : IDisposable
{
    /// <summary>The client's request id, echoed in the response.</summary>
    public string? Id { get; set; }

    /// <summary>The inputs, one per model input.</summary>
    public List<InputTensor> Inputs { get; } = new(2);

    /// <summary>The outputs to return, in this order, or null for all of them in the model's order.</summary>
    /// <remarks>An array so that a handler can share one cached selection across requests.</remarks>
    public IReadOnlyList<string>? RequestedOutputs { get; set; }

    /// <summary>How long the request may wait and run, from when it was received; null for no limit.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// The protocol the request came in by (<c>v2</c>, <c>tfserving</c>, <c>predict</c>, <c>vision</c>, <c>job</c>), the
    /// <c>protocol</c> label of the request histograms; a fixed name, never request content.
    /// </summary>
    public string Protocol { get; set; } = "internal";

    /// <summary>
    /// Whether the caller does nothing but wait for this request's answer (an HTTP handler). Then, when the request
    /// forms a batch alone on a free instance, the batch runs on the caller's thread instead of being handed to a
    /// pool thread and back. Leave it false for callers that go on with other work meanwhile (a stream reading its
    /// next request), which would otherwise stop reading while the model runs. No route sets it yet: in process it cuts
    /// a lone caller's CPU per one-row request from about 10 to 4 µs, but the seed request at 64 connections showed no
    /// gain end to end (<c>inprocess handoff</c> and the seed scenario, bench/RESULTS.md).
    /// </summary>
    public bool CallerWaits { get; set; }

    /// <summary>When the model received the request (a <see cref="TimeProvider"/> timestamp).</summary>
    internal long ReceivedTimestamp { get; set; }

    /// <summary>When the request, validated, entered its model's queue.</summary>
    internal long QueuedTimestamp { get; set; }

    /// <summary>The span the request arrived in (set only while someone listens to <see cref="Telemetry.CoreTracing"/>).</summary>
    internal System.Diagnostics.ActivityContext TraceParent { get; set; }

    /// <summary>Returns every input's buffer.</summary>
    public void Dispose()
    {
        foreach (var input in Inputs)
        {
            input.Dispose();
        }

        Inputs.Clear();
    }
}
