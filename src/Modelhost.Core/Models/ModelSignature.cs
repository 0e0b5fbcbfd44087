using Modelhost.Core.Engine;

namespace Modelhost.Core.Models;

/// <summary>The inputs and outputs of a loaded model version, as the ONNX file declares them.</summary>
public sealed class ModelSignature
{
    internal ModelSignature(IReadOnlyList<NodeInfo> inputs, IReadOnlyList<NodeInfo> outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
        var names = new string[outputs.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = outputs[i].Name;
        }

        OutputNames = names;
        FirstOutputSelection = names.Length > 0 ? [names[0]] : [];
        SupportsBatching = inputs.Count > 0;
        foreach (var input in inputs)
        {
            if (input.Shape.Length == 0 || input.Shape[0] >= 0)
            {
                SupportsBatching = false;
            }
        }
    }

    /// <summary>The inputs, in the model's order.</summary>
    public IReadOnlyList<NodeInfo> Inputs { get; }

    /// <summary>The outputs, in the model's order.</summary>
    public IReadOnlyList<NodeInfo> Outputs { get; }

    /// <summary>The output names, in the model's order.</summary>
    public string[] OutputNames { get; }

    /// <summary>A request's output selection holding the first output alone, shared by every request that wants just it.</summary>
    public IReadOnlyList<string> FirstOutputSelection { get; }

    /// <summary>Whether every input has a dynamic dimension 0, so requests can be merged along it.</summary>
    public bool SupportsBatching { get; }

    /// <summary>The index of the input with this name, or -1.</summary>
    public int InputIndex(string name)
    {
        for (var i = 0; i < Inputs.Count; i++)
        {
            if (string.Equals(Inputs[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the output with this name, or -1.</summary>
    public int OutputIndex(string name)
    {
        for (var i = 0; i < Outputs.Count; i++)
        {
            if (string.Equals(Outputs[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The input names joined with commas, for messages.</summary>
    public string InputNameList() => NameList(Inputs);

    /// <summary>The output names joined with commas, for messages.</summary>
    public string OutputNameList() => NameList(Outputs);

    private static string NameList(IReadOnlyList<NodeInfo> nodes)
    {
        var names = new string[nodes.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = nodes[i].Name;
        }

        return string.Join(", ", names);
    }
}
