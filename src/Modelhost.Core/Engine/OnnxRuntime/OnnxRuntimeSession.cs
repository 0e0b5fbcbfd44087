using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using Microsoft.ML.OnnxRuntime;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Engine.OnnxRuntime;

/// <summary>An <see cref="IEngineSession"/> over an ONNX Runtime <see cref="InferenceSession"/>.</summary>
internal sealed class OnnxRuntimeSession : IEngineSession
{
    // Runs without a cancellable token share one RunOptions: ORT only reads it during a run, and it is never terminated.
    private static readonly RunOptions _uncancellable = new();

    // Runs with one take a RunOptions of their own from this pool, so that Terminate stops that run alone; it goes back
    // with the flag cleared. Pooled rather than made per run: a request should not cost a native allocation for it.
    private const int MaxPooledRunOptions = 64;
    private static readonly ConcurrentQueue<RunOptions> _runOptionsPool = new();

    private readonly InferenceSession _session;
    private int _disposed;

    public OnnxRuntimeSession(InferenceSession session)
    {
        _session = session;
        Inputs = ReadNodes(session.InputNames, session.InputMetadata);
        Outputs = ReadNodes(session.OutputNames, session.OutputMetadata);
    }

    public IReadOnlyList<NodeInfo> Inputs { get; }

    public IReadOnlyList<NodeInfo> Outputs { get; }

    public EngineValue[] Run(string[] inputNames, EngineValue[] inputs, string[] outputNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputNames);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputNames);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (inputNames.Length != inputs.Length)
        {
            throw new ArgumentException($"{inputNames.Length} input names were given for {inputs.Length} inputs.", nameof(inputs));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var values = new OrtValue[inputs.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = inputs[i] switch
            {
                OnnxRuntimeValue value => value.Native,
                null => throw new ArgumentException($"The input at index {i} is null.", nameof(inputs)),
                _ => throw new ArgumentException($"The input at index {i} was not made by ONNX Runtime's engine.", nameof(inputs)),
            };
        }

        IDisposableReadOnlyCollection<OrtValue> outputs;
        if (!cancellationToken.CanBeCanceled)
        {
            outputs = Run(_uncancellable, inputNames, values, outputNames);
        }
        else
        {
            var runOptions = _runOptionsPool.TryDequeue(out var pooled) ? pooled : new RunOptions();

            // If the token is cancelled between the check above and here, the callback runs now and ORT stops at once.
            // Disposing the registration waits for a running callback, so the options outlive any Terminate.
            var registration = cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, runOptions);
            try
            {
                outputs = Run(runOptions, inputNames, values, outputNames);
            }
            catch (EngineException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The run was cancelled.", ex, cancellationToken);
            }
            finally
            {
                // Disposing the registration waits for a running callback; after it, nothing sets the flag again.
                registration.Dispose();
                Return(runOptions);
            }
        }

        // Each output is an OrtValue that the wrapper owns from here on; the collection itself is not disposed.
        var results = new EngineValue[outputs.Count];
        var index = 0;
        foreach (var output in outputs)
        {
            results[index++] = new OnnxRuntimeValue(output);
        }

        return results;
    }

    /// <summary>Releases the native session; runs must have finished (a loaded model retires only after its last lease).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
        }
    }

    private static void Return(RunOptions runOptions)
    {
        if (runOptions.Terminate)
        {
            runOptions.Terminate = false;
        }

        if (_runOptionsPool.Count < MaxPooledRunOptions)
        {
            _runOptionsPool.Enqueue(runOptions);
        }
        else
        {
            runOptions.Dispose();
        }
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(RunOptions runOptions, string[] inputNames, OrtValue[] values, string[] outputNames)
    {
        try
        {
            return _session.Run(runOptions, inputNames, values, outputNames);
        }
        catch (OnnxRuntimeException ex)
        {
            throw OnnxRuntimeErrors.FromRun(ex);
        }
    }

    private static ReadOnlyCollection<NodeInfo> ReadNodes(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var nodes = new NodeInfo[names.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            var name = names[i];
            var node = metadata[name];
            var kind = node.OnnxValueType switch
            {
                OnnxValueType.ONNX_TYPE_TENSOR => NodeValueKind.Tensor,
                OnnxValueType.ONNX_TYPE_SEQUENCE => NodeValueKind.Sequence,
                OnnxValueType.ONNX_TYPE_MAP => NodeValueKind.Map,
                _ => NodeValueKind.Other,
            };
            nodes[i] = kind != NodeValueKind.Tensor
                ? new NodeInfo(name, kind, default, [], [])
                : new NodeInfo(
                    name,
                    kind,
                    (TensorElementType)node.ElementDataType,
                    Array.ConvertAll(node.Dimensions, d => (long)d),
                    Array.ConvertAll(node.SymbolicDimensions, d => d ?? string.Empty));
        }

        return Array.AsReadOnly(nodes);
    }
}
