using Modelhost.Core.Tensors;

namespace Modelhost.Core.Inference;

/// <summary>The outputs of one request. Dispose it once the response is written: it holds native memory.</summary>
public sealed class InferenceResult : IDisposable
{
    private OutputSet? _owner;

    private readonly OutputTensor[] _outputs;

    internal InferenceResult(string modelName, long modelVersion, string? id, OutputTensor[] outputs, OutputSet owner)
    {
        ModelName = modelName;
        ModelVersion = modelVersion;
        Id = id;
        _outputs = outputs;
        _owner = owner;
    }

    /// <summary>The model that answered.</summary>
    public string ModelName { get; }

    /// <summary>The version that answered.</summary>
    public long ModelVersion { get; }

    /// <summary>The request id, when the request had one.</summary>
    public string? Id { get; }

    /// <summary>The outputs, in the model's order (or the requested order).</summary>
    /// <remarks>A span, so that the response writers walk it without allocating an enumerator.</remarks>
    public ReadOnlySpan<OutputTensor> Outputs => _outputs;

    /// <summary>Releases this result's share of the native outputs.</summary>
    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
}
