using System.Runtime.InteropServices;
using Google.Protobuf.Collections;
using Modelhost.Core;
using Modelhost.Core.Inference;
using Modelhost.Core.Tensors;
using Modelhost.Server.Endpoints;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Server.Json;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Turns a <c>ModelInferRequest</c> into the Core request the HTTP endpoints make too: fixed-size raw inputs wrapped in
/// place, without a copy (the message's bytes live as long as the call, and the batcher only reads them), typed contents converted, the output selection with each output's
/// <c>classification</c> parameter, and the <c>timeout</c> and <c>priority</c> parameters. Bad input is INVALID_ARGUMENT with the HTTP endpoint's wording where the two agree.
/// </summary>
internal static class GrpcRequestReader
{
    /// <summary>The most inputs (and so raw entries) a request may carry.</summary>
    internal const int MaxInputs = 256;
    private const int MaxRank = 16;

    /// <summary>Reads the request; <paramref name="classification"/> is, per requested output, its top k (0: its values), or null.</summary>
    public static InferenceRequest Read(ModelInferRequest message, out int[]? classification)
    {
        var request = new InferenceRequest { Id = message.Id.Length > 0 ? message.Id : null };
        try
        {
            ReadInputs(message, request);
            classification = ReadOutputs(message.Outputs, request);
            ReadParameters(message.Parameters, request);
            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private static void ReadInputs(ModelInferRequest message, InferenceRequest request)
    {
        var inputs = message.Inputs;
        var raw = message.RawInputContents;
        if (inputs.Count > MaxInputs)
        {
            throw Invalid($"a request may carry at most {MaxInputs} inputs");
        }

        if (raw.Count > 0 && raw.Count != inputs.Count)
        {
            throw Invalid($"raw_input_contents has {raw.Count} entries, but the request has {inputs.Count} inputs; send one entry per input, in the order of 'inputs'");
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var name = input.Name;
            if (string.IsNullOrEmpty(name))
            {
                throw Invalid($"inputs[{i}] has no 'name'");
            }

            if (input.Datatype.Length == 0)
            {
                throw Invalid($"input '{name}' has no 'datatype'");
            }

            if (!TensorDataTypes.TryParse(input.Datatype, out var type))
            {
                throw Invalid($"input '{name}' has unknown datatype '{input.Datatype}'; use one of {TensorDataTypes.KnownNames}");
            }

            var shape = Shape(input.Shape, i);
            var count = TensorShape.ElementCount(shape);
            if (count < 0)
            {
                throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} is too large or has a negative dimension");
            }

            if (raw.Count > 0)
            {
                if (input.Contents is not null)
                {
                    throw Invalid($"input '{name}' has both 'contents' and raw_input_contents; send one");
                }

                var bytes = raw[i].Span;
                if (type != TensorElementType.String && bytes.Length != count * TensorDataTypes.ElementSize(type))
                {
                    throw Invalid($"input '{name}': shape {TensorShape.Format(shape)} of {TensorDataTypes.Name(type)} needs {count * TensorDataTypes.ElementSize(type)} bytes, but raw_input_contents[{i}] holds {bytes.Length}");
                }

                request.Inputs.Add(type == TensorElementType.String
                    ? BinaryTensorReader.Read(bytes, name, type, shape)
                    : InputTensor.FromBorrowed(name, type, shape, MemoryMarshal.AsMemory(raw[i].Memory)));
            }
            else if (input.Contents is { } contents)
            {
                request.Inputs.Add(GrpcTensorContents.Read(contents, name, type, shape, count));
            }
            else
            {
                throw Invalid($"input '{name}' has no data: set its 'contents' or send raw_input_contents");
            }
        }
    }

    private static long[] Shape(RepeatedField<long> dims, int position)
    {
        if (dims.Count > MaxRank)
        {
            throw Invalid($"inputs[{position}].shape has more than {MaxRank} dimensions");
        }

        var shape = new long[dims.Count];
        for (var d = 0; d < shape.Length; d++)
        {
            if (dims[d] < 0)
            {
                throw Invalid($"inputs[{position}].shape must hold non-negative integers");
            }

            shape[d] = dims[d];
        }

        return shape;
    }

    private static int[]? ReadOutputs(RepeatedField<ModelInferRequest.Types.InferRequestedOutputTensor> outputs, InferenceRequest request)
    {
        if (outputs.Count == 0)
        {
            return null;
        }

        int[]? classification = null;
        var names = new string[outputs.Count];
        for (var i = 0; i < names.Length; i++)
        {
            var output = outputs[i];
            if (string.IsNullOrEmpty(output.Name))
            {
                throw Invalid("each element of 'outputs' needs a 'name'");
            }

            if (output.Parameters.TryGetValue("classification", out var parameter) && Integer(parameter, "classification") is var k and > 0)
            {
                classification ??= new int[names.Length];
                classification[i] = (int)Math.Min(k, int.MaxValue);
            }

            names[i] = output.Name;
        }

        request.RequestedOutputs = names;
        return classification;
    }

    private static void ReadParameters(MapField<string, InferParameter> parameters, InferenceRequest request)
    {
        if (parameters.Count == 0)
        {
            return;
        }

        // Triton's timeout is in microseconds; 0 means none.
        if (parameters.TryGetValue("timeout", out var timeout))
        {
            request.Timeout = TritonParameters.Shorter(request.Timeout, TritonParameters.Microseconds(Integer(timeout, "timeout")));
        }

        // One priority level, as Triton with priority_levels unset: the value is checked and has no effect. (The batcher
        // takes requests in arrival order; levels would need a queue per level in Core's DynamicBatcher.)
        if (parameters.TryGetValue("priority", out var priority))
        {
            _ = Integer(priority, "priority");
        }

        if (parameters.TryGetValue("sequence_id", out var sequence)
            && sequence.ParameterChoiceCase switch
            {
                InferParameter.ParameterChoiceOneofCase.Int64Param => sequence.Int64Param != 0,
                InferParameter.ParameterChoiceOneofCase.Uint64Param => sequence.Uint64Param != 0,
                InferParameter.ParameterChoiceOneofCase.StringParam => sequence.StringParam.Length > 0,
                _ => true,
            })
        {
            throw Invalid(TritonParameters.SequenceRefused);
        }
    }

    private static long Integer(InferParameter parameter, string name) => parameter.ParameterChoiceCase switch
    {
        InferParameter.ParameterChoiceOneofCase.Int64Param when parameter.Int64Param >= 0 => parameter.Int64Param,
        InferParameter.ParameterChoiceOneofCase.Uint64Param => (long)Math.Min(parameter.Uint64Param, long.MaxValue),
        _ => throw Invalid($"parameters.{name} must be a non-negative integer (int64_param or uint64_param)"),
    };

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
