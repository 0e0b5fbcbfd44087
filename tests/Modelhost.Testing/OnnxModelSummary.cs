using Google.Protobuf;
using Modelhost.Onnx;
using Modelhost.Onnx.Protos;

namespace Modelhost.Testing;

/// <summary>
/// What a server needs to know about an ONNX model without running it: the graph's name,
/// operator set imports, inputs and outputs with their declared types and shapes, and metadata.
/// </summary>
public sealed class OnnxModelSummary
{
    private OnnxModelSummary(ModelProto model)
    {
        var graph = model.Graph;
        IrVersion = model.IrVersion;
        ProducerName = model.ProducerName;
        ProducerVersion = model.ProducerVersion;
        ModelVersion = model.ModelVersion;
        GraphName = graph.Name;
        NodeCount = graph.Node.Count;
        InitializerCount = graph.Initializer.Count;

        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in model.OpsetImport)
        {
            var domain = opset.Domain == "ai.onnx" ? "" : opset.Domain;
            opsets[domain] = opsets.TryGetValue(domain, out var seen) ? Math.Max(seen, opset.Version) : opset.Version;
        }

        Opsets = opsets;

        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        Inputs = graph.Input.Where(v => !initializers.Contains(v.Name)).Select(Describe).ToArray();
        Outputs = graph.Output.Select(Describe).ToArray();

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps)
        {
            metadata[entry.Key] = entry.Value;
        }

        Metadata = metadata;
    }

    /// <summary>The ONNX IR version the model targets.</summary>
    public long IrVersion { get; }

    /// <summary>The tool that wrote the model (may be empty).</summary>
    public string ProducerName { get; }

    /// <summary>The version of the tool that wrote the model (may be empty).</summary>
    public string ProducerVersion { get; }

    /// <summary>The model's own version (0 when not set).</summary>
    public long ModelVersion { get; }

    /// <summary>The main graph's name (may be empty).</summary>
    public string GraphName { get; }

    /// <summary>The operator set imports: domain to version. The default ONNX domain is <c>""</c> (<c>"ai.onnx"</c> is reported as <c>""</c>).</summary>
    public IReadOnlyDictionary<string, long> Opsets { get; }

    /// <summary>
    /// The graph inputs a caller must feed, in declaration order. Inputs that also have an
    /// initializer (inputs with a default value, allowed since IR version 4) are left out.
    /// </summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The graph outputs, in declaration order.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>The number of nodes in the main graph (not counting subgraphs).</summary>
    public int NodeCount { get; }

    /// <summary>The number of initializers (constant tensors) in the main graph.</summary>
    public int InitializerCount { get; }

    /// <summary>The model metadata (metadata_props); for a repeated key the last value wins.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads the summary of a serialized ONNX model.</summary>
    /// <param name="model">The bytes of an ONNX file.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    public static OnnxModelSummary Read(ReadOnlySpan<byte> model)
    {
        if (model.IsEmpty)
        {
            throw new InvalidDataException("Not an ONNX model: the data is empty.");
        }

        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"Not an ONNX model: the data is not a protobuf ModelProto ({ex.Message}).", ex);
        }

        if (proto.IrVersion <= 0)
        {
            throw new InvalidDataException("Not an ONNX model: it has no ir_version.");
        }

        if (proto.Graph is null)
        {
            throw new InvalidDataException("Not an ONNX model: it has no graph.");
        }

        return new OnnxModelSummary(proto);
    }

    /// <summary>Reads the summary of an ONNX file.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static OnnxModelSummary ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return Read(File.ReadAllBytes(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    private static OnnxValueInfo Describe(ValueInfoProto value)
    {
        var type = value.Type;
        switch (type?.ValueCase)
        {
            case TypeProto.ValueOneofCase.TensorType:
                var tensor = type.TensorType;
                if (tensor.Shape is null)
                {
                    return new OnnxValueInfo(value.Name, OnnxValueKind.Tensor, (OnnxDataType)tensor.ElemType, null, null);
                }

                var dims = new long[tensor.Shape.Dim.Count];
                var names = new string?[dims.Length];
                for (var i = 0; i < dims.Length; i++)
                {
                    var dim = tensor.Shape.Dim[i];
                    dims[i] = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? dim.DimValue : -1;
                    names[i] = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam && dim.DimParam.Length > 0
                        ? dim.DimParam
                        : null;
                }

                return new OnnxValueInfo(value.Name, OnnxValueKind.Tensor, (OnnxDataType)tensor.ElemType, dims, names);
            case TypeProto.ValueOneofCase.SequenceType:
                return new OnnxValueInfo(value.Name, OnnxValueKind.Sequence, OnnxDataType.Undefined, null, null);
            case TypeProto.ValueOneofCase.MapType:
                return new OnnxValueInfo(value.Name, OnnxValueKind.Map, OnnxDataType.Undefined, null, null);
            default:
                return new OnnxValueInfo(value.Name, OnnxValueKind.Other, OnnxDataType.Undefined, null, null);
        }
    }
}
