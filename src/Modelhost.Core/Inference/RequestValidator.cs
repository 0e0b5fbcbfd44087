using Modelhost.Core.Models;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Inference;

/// <summary>
/// Checks a request against a model's signature before it is queued, so that a bad request gets a 400 that
/// names the problem and never reaches ONNX Runtime. On success the inputs are in the model's order.
/// </summary>
internal static class RequestValidator
{
    public static void ValidateAndOrder(string model, ModelSignature signature, InferenceRequest request, int maxBatchSize)
    {
        var inputs = request.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            var name = inputs[i].Name;
            if (signature.InputIndex(name) < 0)
            {
                throw Invalid($"unknown input '{name}' for model '{model}'; its inputs are: {signature.InputNameList()}");
            }

            for (var j = 0; j < i; j++)
            {
                if (string.Equals(inputs[j].Name, name, StringComparison.Ordinal))
                {
                    throw Invalid($"input '{name}' is given more than once");
                }
            }
        }

        if (inputs.Count != signature.Inputs.Count)
        {
            for (var i = 0; i < signature.Inputs.Count; i++)
            {
                var expected = signature.Inputs[i].Name;
                if (!Contains(inputs, expected))
                {
                    throw Invalid($"missing input '{expected}' for model '{model}'; its inputs are: {signature.InputNameList()}");
                }
            }
        }

        // Put the inputs in the model's order so the runner can pair them with the model's names by index.
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            var j = i;
            while (!string.Equals(inputs[j].Name, signature.Inputs[i].Name, StringComparison.Ordinal))
            {
                j++;
            }

            if (j != i)
            {
                (inputs[i], inputs[j]) = (inputs[j], inputs[i]);
            }
        }

        long rows = -1;
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var expected = signature.Inputs[i];
            if (input.ElementType != expected.ElementType)
            {
                throw Invalid(
                    $"input '{input.Name}' has datatype {TensorDataTypes.Name(input.ElementType)}, but the model expects {TensorDataTypes.Name(expected.ElementType)}");
            }

            if (!ShapeMatches(input.Shape, expected.Shape))
            {
                throw Invalid(
                    $"input '{input.Name}' has shape {TensorShape.Format(input.Shape)}, but the model expects {TensorShape.Format(expected.Shape)} (-1 is any size)");
            }

            if (maxBatchSize > 0)
            {
                if (rows >= 0 && input.Rows != rows)
                {
                    throw Invalid($"input '{input.Name}' has {input.Rows} rows in dimension 0, but other inputs have {rows}");
                }

                rows = input.Rows;
            }
        }

        if (maxBatchSize > 0 && (rows < 1 || rows > maxBatchSize))
        {
            throw Invalid($"the request holds {rows} rows, but model '{model}' takes 1 to {maxBatchSize} rows per request (max_batch_size)");
        }

        if (request.RequestedOutputs is { } outputs)
        {
            for (var i = 0; i < outputs.Count; i++)
            {
                var output = outputs[i];
                if (signature.OutputIndex(output) < 0)
                {
                    throw Invalid($"unknown output '{output}' for model '{model}'; its outputs are: {signature.OutputNameList()}");
                }

                for (var j = 0; j < i; j++)
                {
                    if (string.Equals(outputs[j], output, StringComparison.Ordinal))
                    {
                        throw Invalid($"output '{output}' is requested more than once");
                    }
                }
            }
        }
    }

    private static bool Contains(List<InputTensor> inputs, string name)
    {
        foreach (var input in inputs)
        {
            if (string.Equals(input.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ShapeMatches(long[] actual, long[] expected)
    {
        if (actual.Length != expected.Length)
        {
            return false;
        }

        for (var i = 0; i < actual.Length; i++)
        {
            if (expected[i] >= 0 && actual[i] != expected[i])
            {
                return false;
            }
        }

        return true;
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
