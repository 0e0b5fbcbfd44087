namespace Modelhost.Server.Json;

/// <summary>
/// Which outputs a V2 request wants as binary data (the binary tensor extension) rather than JSON, and which as their top
/// classes (Triton's classification extension).
/// </summary>
internal sealed class V2OutputFormat
{
    /// <summary><c>parameters.binary_data_output</c>: every output not set otherwise is binary.</summary>
    public bool AllBinary { get; set; }

    /// <summary><c>outputs[].parameters.binary_data</c>, by output name.</summary>
    public Dictionary<string, bool>? PerOutput { get; set; }

    /// <summary><c>outputs[].parameters.classification</c> where it is above 0, by output name.</summary>
    public Dictionary<string, int>? Classification { get; set; }

    /// <summary>The top k that the request asks of <paramref name="output"/> instead of its values; 0 for its values.</summary>
    public int ClassesOf(string output) =>
        Classification is not null && Classification.TryGetValue(output, out var k) ? k : 0;

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
