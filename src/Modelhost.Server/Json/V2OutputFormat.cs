namespace Modelhost.Server.Json;

/// <summary>Which outputs a V2 request wants as binary data (the binary tensor extension) rather than JSON.</summary>
internal sealed class V2OutputFormat
{
    /// <summary><c>parameters.binary_data_output</c>: every output not set otherwise is binary.</summary>
    public bool AllBinary { get; set; }

    /// <summary><c>outputs[].parameters.binary_data</c>, by output name.</summary>
    public Dictionary<string, bool>? PerOutput { get; set; }

    public bool IsBinary(string output) =>
        PerOutput is not null && PerOutput.TryGetValue(output, out var binary) ? binary : AllBinary;

    public bool AnyBinary(ReadOnlySpan<Core.Tensors.OutputTensor> outputs)
    {
        foreach (var output in outputs)
        {
            if (IsBinary(output.Name))
            {
                return true;
            }
        }

        return false;
    }
}
