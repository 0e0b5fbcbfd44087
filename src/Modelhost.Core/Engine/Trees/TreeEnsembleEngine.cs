using Modelhost.Core.Tensors;
using Modelhost.Onnx.Reading;

namespace Modelhost.Core.Engine.Trees;

/// <summary>
/// The native tree-ensemble engine: runs a model whose graph is a single ai.onnx.ml <c>TreeEnsembleClassifier</c>,
/// <c>TreeEnsembleRegressor</c> or opset-5 <c>TreeEnsemble</c> over float input (optionally followed by <c>Identity</c>) in managed code, with ONNX Runtime's results
/// bit for bit. Any other model is <see cref="EngineErrorKind.InvalidModel"/>.
/// </summary>
public sealed class TreeEnsembleEngine : IInferenceEngine
{
    private TreeEnsembleEngine()
    {
    }

    /// <summary>The engine; it keeps no state between sessions.</summary>
    public static TreeEnsembleEngine Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "trees";

    /// <inheritdoc/>
    public string Version => typeof(TreeEnsembleEngine).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>
    /// The degree of parallelism assumed when the session options leave the intra-op threads at 0: ONNX Runtime then
    /// uses one thread per core, and splits large ensembles' sums by thread, which this engine reproduces.
    /// </summary>
    public static int DefaultParallelism => Environment.ProcessorCount;

    /// <inheritdoc/>
    public IEngineSession CreateSession(byte[] model, EngineSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var definition = TreeEnsembleReader.TryRead(model, out var reason)
            ?? throw new EngineException(EngineErrorKind.InvalidModel, $"the model is not a tree ensemble this engine runs: {reason}");
        var parallelism = options.IntraOpThreads > 0 ? options.IntraOpThreads : DefaultParallelism;
        return TreeEnsembleSession.Create(definition, parallelism, out reason)
            ?? throw new EngineException(EngineErrorKind.InvalidModel, $"the tree ensemble is not one this engine runs: {reason}");
    }

    /// <inheritdoc/>
    public EngineValue CreateTensor(TensorElementType type, Memory<byte> bytes, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var size = TensorDataTypes.ElementSize(type);
        if (size == 0)
        {
            throw new ArgumentException("String tensors have no fixed-size buffer; use CreateStringTensor.", nameof(type));
        }

        if (TensorShape.ElementCount(shape) * size != bytes.Length)
        {
            throw new ArgumentException($"The shape {TensorShape.Format(shape)} does not fit a buffer of {bytes.Length} bytes of {type}.", nameof(bytes));
        }

        return new ManagedTensorValue<byte>(type, bytes, shape);
    }

    /// <inheritdoc/>
    public EngineValue CreateTensor<T>(Memory<T> data, long[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (TensorShape.ElementCount(shape) != data.Length)
        {
            throw new ArgumentException($"The shape {TensorShape.Format(shape)} holds a different number of elements than the data's {data.Length}.", nameof(data));
        }

        return new ManagedTensorValue<T>(TensorDataTypes.ElementTypeOf<T>(), data, shape);
    }

    /// <inheritdoc/>
    public EngineValue CreateStringTensor(IReadOnlyList<ReadOnlyMemory<byte>> values, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        var strings = new byte[values.Count][];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = values[i].ToArray();
        }

        return new ManagedStringValue(strings, shape);
    }
}
