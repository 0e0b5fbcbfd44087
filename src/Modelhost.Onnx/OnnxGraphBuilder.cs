using Google.Protobuf;
using Modelhost.Onnx.Protos;

namespace Modelhost.Onnx;

/// <summary>
/// Writes an ONNX model: declare inputs, initializers and nodes in topological order, then
/// outputs, and call <see cref="ToBytes"/> or <see cref="Save"/>.
/// </summary>
/// <remarks>
/// <para>
/// The model targets IR version 8 and imports opset 17 of the default ONNX domain (<c>""</c>);
/// <see cref="UseOpset"/> adds or changes an import (for example <c>"ai.onnx.ml"</c> 3).
/// </para>
/// <para>
/// Names are checked as they are added: every value name (graph input, initializer, node
/// output) is defined once, names are not empty, and a node may only read values that are
/// already defined, so nodes must be added in topological order. Errors throw
/// <see cref="ArgumentException"/>. Whole-model checks (every output is produced, every node's
/// domain has an opset import) run in <see cref="ToBytes"/> and throw
/// <see cref="InvalidOperationException"/>.
/// </para>
/// <example>
/// <code>
/// var g = new OnnxGraphBuilder("scale");
/// g.Input("x", OnnxDataType.Float, "N", 4);
/// var w = g.Initializer("w", [2f, 2f, 2f, 2f], 4);
/// g.Node("Mul", ["x", w], ["y"]);
/// g.Output("y", OnnxDataType.Float, "N", 4);
/// byte[] model = g.ToBytes();
/// </code>
/// </example>
/// </remarks>
public sealed class OnnxGraphBuilder
{
    /// <summary>The IR version written by default.</summary>
    public const long DefaultIrVersion = 8;

    /// <summary>The version of the default ONNX operator set (domain <c>""</c>) imported by default.</summary>
    public const long DefaultOpsetVersion = 17;

    private readonly List<OperatorSetIdProto> _opsets = [];
    private readonly List<ValueInfoProto> _inputs = [];
    private readonly List<ValueInfoProto> _outputs = [];
    private readonly List<TensorProto> _initializers = [];
    private readonly List<NodeProto> _nodes = [];
    private readonly List<StringStringEntryProto> _metadata = [];
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outputNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _metadataKeys = new(StringComparer.Ordinal);
    private long _irVersion = DefaultIrVersion;

    /// <summary>Starts an empty graph.</summary>
    /// <param name="graphName">The graph's name (GraphProto.name); not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="graphName"/> is null, empty or white space.</exception>
    public OnnxGraphBuilder(string graphName = "main")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        GraphName = graphName;
        UseOpset("", DefaultOpsetVersion);
    }

    /// <summary>The graph's name.</summary>
    public string GraphName { get; }

    /// <summary>The tool that wrote the model (ModelProto.producer_name); <c>"modelhost"</c> by default.</summary>
    public string ProducerName { get; set; } = "modelhost";

    /// <summary>The version of the tool that wrote the model (ModelProto.producer_version); empty by default.</summary>
    public string ProducerVersion { get; set; } = "";

    /// <summary>The model's own version (ModelProto.model_version); 0 (not written) by default.</summary>
    public long ModelVersion { get; set; }

    /// <summary>A human-readable description of the model (ModelProto.doc_string); empty by default.</summary>
    public string DocString { get; set; } = "";

    /// <summary>The ONNX IR version written (ModelProto.ir_version); <see cref="DefaultIrVersion"/> by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is not positive.</exception>
    public long IrVersion
    {
        get => _irVersion;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _irVersion = value;
        }
    }

    /// <summary>The operator set imports, by domain (<c>""</c> is the default ONNX domain).</summary>
    public IReadOnlyDictionary<string, long> Opsets => _opsets.ToDictionary(o => o.Domain, o => o.Version, StringComparer.Ordinal);

    /// <summary>Imports an operator set, or changes the version of an imported one.</summary>
    /// <param name="domain">The domain: <c>""</c> (or its alias <c>"ai.onnx"</c>) for the default ONNX operators, <c>"ai.onnx.ml"</c> for the ML operators.</param>
    /// <param name="version">The operator set version; 1 or more.</param>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not positive.</exception>
    public void UseOpset(string domain, long version)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        domain = NormalizeDomain(domain);
        var existing = _opsets.Find(o => o.Domain == domain);
        if (existing is not null)
        {
            existing.Version = version;
        }
        else
        {
            _opsets.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }
    }

    /// <summary>Declares a graph input tensor.</summary>
    /// <param name="name">The value name; not empty and not yet defined.</param>
    /// <param name="type">The element type.</param>
    /// <param name="dims">
    /// The shape; none declares a tensor of unknown shape (any rank, no shape field). ONNX Runtime
    /// accepts such inputs, but <c>onnx.checker</c> requires a shape on the main graph's inputs and outputs.
    /// </param>
    /// <exception cref="ArgumentException">The name is empty or already defined, or <paramref name="type"/> is <see cref="OnnxDataType.Undefined"/>.</exception>
    public void Input(string name, OnnxDataType type, params Dim[] dims)
    {
        CheckNewValueName(name, "Graph input");
        _inputs.Add(ValueInfo(name, type, dims));
        _values.Add(name);
    }

    /// <summary>
    /// Declares a graph output tensor. It must be produced by a node (or be an input or an
    /// initializer) by the time <see cref="ToBytes"/> is called, so it may be declared before or
    /// after its node.
    /// </summary>
    /// <param name="name">The value name; not empty and not already an output.</param>
    /// <param name="type">The element type.</param>
    /// <param name="dims">
    /// The shape; none declares a tensor of unknown shape (no shape information at all). ONNX Runtime
    /// accepts such outputs, but <c>onnx.checker</c> requires a shape on the main graph's inputs and outputs.
    /// </param>
    /// <exception cref="ArgumentException">The name is empty or already an output, or <paramref name="type"/> is <see cref="OnnxDataType.Undefined"/>.</exception>
    public void Output(string name, OnnxDataType type, params Dim[] dims)
    {
        CheckName(name, "Graph output");
        if (!_outputNames.Add(name))
        {
            throw new ArgumentException($"Graph output '{name}' is already declared.", nameof(name));
        }

        _outputs.Add(ValueInfo(name, type, dims));
    }

    /// <summary>Adds a constant FLOAT tensor (stored as little-endian raw_data).</summary>
    /// <param name="name">The value name; not empty and not yet defined.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns><paramref name="name"/>, to use as a node input.</returns>
    /// <exception cref="ArgumentException">The name is empty or already defined, or the dims do not fit the values.</exception>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims) =>
        AddInitializer(name, TensorEncoding.Float(name, values, dims));

    /// <summary>Adds a constant DOUBLE tensor (stored as little-endian raw_data).</summary>
    /// <param name="name">The value name; not empty and not yet defined.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns><paramref name="name"/>, to use as a node input.</returns>
    /// <exception cref="ArgumentException">The name is empty or already defined, or the dims do not fit the values.</exception>
    public string Initializer(string name, ReadOnlySpan<double> values, params long[] dims) =>
        AddInitializer(name, TensorEncoding.Double(name, values, dims));

    /// <summary>Adds a constant FLOAT16 tensor (stored as little-endian raw_data).</summary>
    /// <param name="name">The value name; not empty and not yet defined.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns><paramref name="name"/>, to use as a node input.</returns>
    /// <exception cref="ArgumentException">The name is empty or already defined, or the dims do not fit the values.</exception>
    public string Initializer(string name, ReadOnlySpan<Half> values, params long[] dims) =>
        AddInitializer(name, TensorEncoding.Half(name, values, dims));

    /// <summary>Adds a constant INT64 tensor (stored as little-endian raw_data).</summary>
    /// <param name="name">The value name; not empty and not yet defined.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns><paramref name="name"/>, to use as a node input.</returns>
    /// <exception cref="ArgumentException">The name is empty or already defined, or the dims do not fit the values.</exception>
    public string Initializer(string name, ReadOnlySpan<long> values, params long[] dims) =>
        AddInitializer(name, TensorEncoding.Int64(name, values, dims));

    /// <summary>Adds a constant INT32 tensor (stored as little-endian raw_data).</summary>
    /// <param name="name">The value name; not empty and not yet defined.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns><paramref name="name"/>, to use as a node input.</returns>
    /// <exception cref="ArgumentException">The name is empty or already defined, or the dims do not fit the values.</exception>
    public string Initializer(string name, ReadOnlySpan<int> values, params long[] dims) =>
        AddInitializer(name, TensorEncoding.Int32(name, values, dims));

    /// <summary>Adds a constant UINT8 tensor (stored as raw_data).</summary>
    /// <param name="name">The value name; not empty and not yet defined.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns><paramref name="name"/>, to use as a node input.</returns>
    /// <exception cref="ArgumentException">The name is empty or already defined, or the dims do not fit the values.</exception>
    public string Initializer(string name, ReadOnlySpan<byte> values, params long[] dims) =>
        AddInitializer(name, TensorEncoding.UInt8(name, values, dims));

    /// <summary>Adds a constant BOOL tensor (stored as raw_data, one byte 0 or 1 per element).</summary>
    /// <param name="name">The value name; not empty and not yet defined.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns><paramref name="name"/>, to use as a node input.</returns>
    /// <exception cref="ArgumentException">The name is empty or already defined, or the dims do not fit the values.</exception>
    public string Initializer(string name, ReadOnlySpan<bool> values, params long[] dims) =>
        AddInitializer(name, TensorEncoding.Bool(name, values, dims));

    /// <summary>Adds a constant STRING tensor (stored as UTF-8 string_data).</summary>
    /// <param name="name">The value name; not empty and not yet defined.</param>
    /// <param name="values">The elements in row-major order; none may be null.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns><paramref name="name"/>, to use as a node input.</returns>
    /// <exception cref="ArgumentException">The name is empty or already defined, a value is null, or the dims do not fit the values.</exception>
    public string Initializer(string name, ReadOnlySpan<string> values, params long[] dims) =>
        AddInitializer(name, TensorEncoding.String(name, values, dims));

    /// <summary>
    /// Adds a node. Nodes are added in topological order: every non-empty input must already be
    /// a graph input, an initializer or an output of an earlier node. An empty input or output
    /// name marks an omitted optional one.
    /// </summary>
    /// <param name="opType">The operator, such as <c>"MatMul"</c>.</param>
    /// <param name="inputs">The input value names.</param>
    /// <param name="outputs">The output value names; at least one, each not yet defined.</param>
    /// <param name="name">The node's name; by default <c>{opType}_{index}</c>.</param>
    /// <param name="domain">The operator's domain; <c>""</c> for the default ONNX operators.</param>
    /// <returns>A builder for the node's attributes.</returns>
    /// <exception cref="ArgumentException">
    /// The operator or node name is empty, the node name is taken, an input is unknown, there is no
    /// non-empty output, or an output is already defined.
    /// </exception>
    public NodeBuilder Node(string opType, string[] inputs, string[] outputs, string? name = null, string domain = "")
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(domain);
        if (string.IsNullOrWhiteSpace(opType))
        {
            throw new ArgumentException("A node's operator type must not be empty.", nameof(opType));
        }

        if (name is not null)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"The name of a {opType} node must not be empty (pass null for a generated name).", nameof(name));
            }

            if (_nodeNames.Contains(name))
            {
                throw new ArgumentException($"A node named '{name}' already exists.", nameof(name));
            }
        }
        else
        {
            name = $"{opType}_{_nodes.Count}";
            for (var i = 1; _nodeNames.Contains(name); i++)
            {
                name = $"{opType}_{_nodes.Count}_{i}";
            }
        }

        foreach (var input in inputs)
        {
            if (input is null)
            {
                throw new ArgumentException($"Node '{name}' ({opType}) has a null input name (use \"\" for an omitted optional input).", nameof(inputs));
            }

            if (input.Length > 0 && !_values.Contains(input))
            {
                throw new ArgumentException(
                    $"Node '{name}' ({opType}) reads '{input}', which is not a graph input, an initializer or an output of an earlier node.",
                    nameof(inputs));
            }
        }

        var newOutputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in outputs)
        {
            if (output is null)
            {
                throw new ArgumentException($"Node '{name}' ({opType}) has a null output name (use \"\" for an omitted optional output).", nameof(outputs));
            }

            if (output.Length > 0 && (_values.Contains(output) || !newOutputs.Add(output)))
            {
                throw new ArgumentException($"Node '{name}' ({opType}) writes '{output}', which is already defined.", nameof(outputs));
            }
        }

        if (newOutputs.Count == 0)
        {
            throw new ArgumentException($"Node '{name}' ({opType}) has no outputs.", nameof(outputs));
        }

        var node = new NodeProto { OpType = opType, Name = name, Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        _nodes.Add(node);
        _nodeNames.Add(name);
        _values.UnionWith(newOutputs);
        return new NodeBuilder(node);
    }

    /// <summary>Adds a model metadata entry (ModelProto.metadata_props).</summary>
    /// <param name="key">The key; not empty and not yet used.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The key is empty or already used.</exception>
    public void Metadata(string key, string value)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException("A metadata key must not be empty.", nameof(key));
        }

        ArgumentNullException.ThrowIfNull(value);
        if (!_metadataKeys.Add(key))
        {
            throw new ArgumentException($"Metadata key '{key}' is already set.", nameof(key));
        }

        _metadata.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    /// <summary>Serializes the model.</summary>
    /// <returns>The ONNX file's bytes.</returns>
    /// <exception cref="InvalidOperationException">
    /// The graph declares no outputs, an output is not produced, or a node's domain has no opset import.
    /// </exception>
    public byte[] ToBytes() => ToModelProto().ToByteArray();

    /// <summary>Serializes the model to a file (creating or replacing it).</summary>
    /// <param name="path">The file path, conventionally ending in <c>.onnx</c>.</param>
    /// <exception cref="InvalidOperationException">See <see cref="ToBytes"/>.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, ToBytes());
    }

    /// <summary>Builds the model message after the whole-model checks.</summary>
    internal ModelProto ToModelProto()
    {
        if (_outputs.Count == 0)
        {
            throw new InvalidOperationException($"Graph '{GraphName}' declares no outputs.");
        }

        foreach (var output in _outputs)
        {
            if (!_values.Contains(output.Name))
            {
                throw new InvalidOperationException(
                    $"Graph output '{output.Name}' is not produced by any node (nor is it an input or an initializer).");
            }
        }

        foreach (var node in _nodes)
        {
            var domain = NormalizeDomain(node.Domain);
            if (!_opsets.Exists(o => o.Domain == domain))
            {
                throw new InvalidOperationException(
                    $"Node '{node.Name}' ({node.OpType}) uses domain '{node.Domain}', which has no opset import; call UseOpset(\"{node.Domain}\", version).");
            }
        }

        var graph = new GraphProto { Name = GraphName };
        graph.Node.AddRange(_nodes.Select(n => n.Clone()));
        graph.Initializer.AddRange(_initializers.Select(t => t.Clone()));
        graph.Input.AddRange(_inputs.Select(v => v.Clone()));
        graph.Output.AddRange(_outputs.Select(v => v.Clone()));

        var model = new ModelProto
        {
            IrVersion = _irVersion,
            ProducerName = ProducerName ?? "",
            ProducerVersion = ProducerVersion ?? "",
            ModelVersion = ModelVersion,
            DocString = DocString ?? "",
            Graph = graph,
        };
        model.OpsetImport.AddRange(_opsets.Select(o => o.Clone()));
        model.MetadataProps.AddRange(_metadata.Select(m => m.Clone()));
        return model;
    }

    private string AddInitializer(string name, TensorProto tensor)
    {
        CheckNewValueName(name, "Initializer");
        _initializers.Add(tensor);
        _values.Add(name);
        return name;
    }

    private void CheckNewValueName(string name, string what)
    {
        CheckName(name, what);
        if (_values.Contains(name))
        {
            throw new ArgumentException($"{what} '{name}': the name is already defined in graph '{GraphName}'.", nameof(name));
        }
    }

    private static void CheckName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{what} name must not be empty.", nameof(name));
        }
    }

    private static ValueInfoProto ValueInfo(string name, OnnxDataType type, Dim[]? dims)
    {
        if (type == OnnxDataType.Undefined || !Enum.IsDefined(type))
        {
            throw new ArgumentException($"Value '{name}' has no valid element type ({type}).", nameof(type));
        }

        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (dims is { Length: > 0 })
        {
            var shape = new TensorShapeProto();
            foreach (var dim in dims)
            {
                var d = new TensorShapeProto.Types.Dimension();
                if (dim.IsFixed)
                {
                    d.DimValue = dim.Value;
                }
                else if (dim.IsSymbolic)
                {
                    d.DimParam = dim.Name;
                }

                shape.Dim.Add(d);
            }

            tensor.Shape = shape;
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    private static string NormalizeDomain(string domain) => domain == "ai.onnx" ? "" : domain;
}
