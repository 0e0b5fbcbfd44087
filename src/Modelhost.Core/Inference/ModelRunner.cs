using Modelhost.Core.Engine;
using Modelhost.Core.Models;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Inference;

/// <summary>
/// Runs validated requests on one engine session: a single request as it is, or several merged along
/// dimension 0 into one run whose outputs are then split back by rows without copying.
/// </summary>
internal sealed class ModelRunner
{
    private readonly IInferenceEngine _engine;
    private readonly IEngineSession _session;
    private readonly ModelSignature _signature;
    private readonly string[] _inputNames;
    private readonly TimeProvider _timeProvider;

    public ModelRunner(string modelName, long version, IInferenceEngine engine, IEngineSession session, ModelSignature signature, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        ModelName = modelName;
        Version = version;
        _engine = engine;
        _session = session;
        _signature = signature;
        _inputNames = new string[signature.Inputs.Count];
        for (var i = 0; i < _inputNames.Length; i++)
        {
            _inputNames[i] = signature.Inputs[i].Name;
        }
    }

    public string ModelName { get; }

    public long Version { get; }

    public InferenceResult Run(InferenceRequest request, CancellationToken cancellationToken)
    {
        var timings = default(RunTimings);
        return Run(request, ref timings, cancellationToken);
    }

    /// <summary>Runs one request, adding where the time went to <paramref name="timings"/>.</summary>
    public InferenceResult Run(InferenceRequest request, ref RunTimings timings, CancellationToken cancellationToken)
    {
        var t0 = _timeProvider.GetTimestamp();
        var values = new EngineValue[_inputNames.Length];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = request.Inputs[i].ToEngineValue(_engine);
            }

            // A single request asks the engine for just the outputs it wants.
            var requested = request.RequestedOutputs as string[];
            var t1 = _timeProvider.GetTimestamp();
            var outputs = RunSession(values, requested ?? _signature.OutputNames, cancellationToken);
            var t2 = _timeProvider.GetTimestamp();
            var set = new OutputSet(outputs, references: 1);
            var selected = requested is null ? Select(request, set, firstRow: 0, rows: -1) : InOrder(requested, set);
            var result = new InferenceResult(ModelName, Version, request.Id, selected, set);
            timings.Input += t1 - t0;
            timings.Infer += t2 - t1;
            timings.Output += _timeProvider.GetTimestamp() - t2;
            return result;
        }
        finally
        {
            DisposeAll(values);
        }
    }

    /// <summary>Runs requests whose inputs agree in every dimension but 0 as one batch.</summary>
    public InferenceResult[] RunBatch(ReadOnlySpan<InferenceRequest> requests, ref RunTimings timings, CancellationToken cancellationToken)
    {
        if (requests.Length == 1)
        {
            return [Run(requests[0], ref timings, cancellationToken)];
        }

        if (!SameTrailingShapes(requests))
        {
            // Inputs with different non-batch dimensions can't be concatenated; run them one by one.
            var results = new InferenceResult[requests.Length];
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = Run(requests[i], ref timings, cancellationToken);
            }

            return results;
        }

        long totalRows = 0;
        foreach (var request in requests)
        {
            totalRows += request.Inputs[0].Rows;
        }

        var t0 = _timeProvider.GetTimestamp();
        var values = new EngineValue[_inputNames.Length];
        var rented = new byte[]?[_inputNames.Length];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Concatenate(requests, i, totalRows, out rented[i]);
            }

            var t1 = _timeProvider.GetTimestamp();
            var outputs = RunSession(values, _signature.OutputNames, cancellationToken);
            var t2 = _timeProvider.GetTimestamp();
            for (var o = 0; o < outputs.Length; o++)
            {
                var shape = outputs[o].Shape;
                if (shape.Length == 0 || shape[0] != totalRows)
                {
                    DisposeAll(outputs);
                    throw new InferenceException(
                        InferenceErrorKind.Internal,
                        $"output '{_signature.OutputNames[o]}' of model '{ModelName}' has shape {TensorShape.Format(shape)}, which has no batch dimension of {totalRows} rows; set max_batch_size: 0 for this model");
                }
            }

            var set = new OutputSet(outputs, requests.Length);
            var results = new InferenceResult[requests.Length];
            long firstRow = 0;
            for (var r = 0; r < results.Length; r++)
            {
                var rows = requests[r].Inputs[0].Rows;
                results[r] = new InferenceResult(ModelName, Version, requests[r].Id, Select(requests[r], set, firstRow, rows), set);
                firstRow += rows;
            }

            timings.Input += t1 - t0;
            timings.Infer += t2 - t1;
            timings.Output += _timeProvider.GetTimestamp() - t2;
            return results;
        }
        finally
        {
            // The values pin the rented buffers, so they go first.
            DisposeAll(values);
            foreach (var buffer in rented)
            {
                if (buffer is not null)
                {
                    TensorBuffers.Return(buffer);
                }
            }
        }
    }

    private EngineValue[] RunSession(EngineValue[] inputs, string[] outputNames, CancellationToken cancellationToken)
    {
        using var span = Telemetry.CoreTracing.Source.StartActivity("onnxruntime.run");
        try
        {
            return _session.Run(_inputNames, inputs, outputNames, cancellationToken);
        }
        catch (EngineException ex)
        {
            // Validation catches what we can see; whatever the engine still rejects is reported as the client's error
            // only when the engine says the argument was invalid.
            var kind = ex.Kind == EngineErrorKind.InvalidArgument ? InferenceErrorKind.InvalidArgument : InferenceErrorKind.Internal;
            throw new InferenceException(kind, $"model '{ModelName}' version {Version} failed to run: {ex.Message}", ex);
        }
    }

    private EngineValue Concatenate(ReadOnlySpan<InferenceRequest> requests, int input, long totalRows, out byte[]? rented)
    {
        var first = requests[0].Inputs[input];
        var shape = (long[])first.Shape.Clone();
        shape[0] = totalRows;
        if (first.ElementType == TensorElementType.String)
        {
            rented = null;
            var strings = new List<ReadOnlyMemory<byte>>();
            foreach (var request in requests)
            {
                strings.AddRange(request.Inputs[input].Strings!);
            }

            return _engine.CreateStringTensor(strings, shape);
        }

        var length = 0;
        foreach (var request in requests)
        {
            length += request.Inputs[input].Data.Length;
        }

        rented = TensorBuffers.Rent(length);
        var offset = 0;
        foreach (var request in requests)
        {
            var data = request.Inputs[input].Data.Span;
            data.CopyTo(rented.AsSpan(offset));
            offset += data.Length;
        }

        return _engine.CreateTensor(first.ElementType, rented.AsMemory(0, length), shape);
    }

    private static OutputTensor[] InOrder(string[] names, OutputSet set)
    {
        var outputs = new OutputTensor[names.Length];
        for (var i = 0; i < outputs.Length; i++)
        {
            outputs[i] = new OutputTensor(names[i], set[i], set[i].Shape, firstRow: 0);
        }

        return outputs;
    }

    private OutputTensor[] Select(InferenceRequest request, OutputSet set, long firstRow, long rows)
    {
        var requested = request.RequestedOutputs;
        var count = requested?.Count ?? set.Count;
        var outputs = new OutputTensor[count];
        for (var i = 0; i < count; i++)
        {
            var index = requested is null ? i : _signature.OutputIndex(requested[i]);
            var value = set[index];
            var shape = value.Shape;
            if (rows >= 0)
            {
                shape[0] = rows;
            }

            outputs[i] = new OutputTensor(_signature.OutputNames[index], value, shape, firstRow);
        }

        return outputs;
    }

    private static bool SameTrailingShapes(ReadOnlySpan<InferenceRequest> requests)
    {
        var first = requests[0];
        for (var r = 1; r < requests.Length; r++)
        {
            for (var i = 0; i < first.Inputs.Count; i++)
            {
                var a = first.Inputs[i].Shape;
                var b = requests[r].Inputs[i].Shape;
                if (!a.AsSpan(1).SequenceEqual(b.AsSpan(1)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static void DisposeAll(EngineValue[] values)
    {
        foreach (var value in values)
        {
            value?.Dispose();
        }
    }
}
