using System.Text;
using Google.Protobuf;
using Modelhost.Onnx.Protos;

namespace Modelhost.Onnx;

/// <summary>
/// Sets the attributes of a node added by <see cref="OnnxGraphBuilder.Node"/>. Each method
/// returns the same builder so calls chain:
/// <c>g.Node("ArgMax", ["scores"], ["label"]).Attr("axis", 1).Attr("keepdims", 0);</c>
/// </summary>
/// <remarks>Attribute names must be non-empty and unique within the node; otherwise the methods throw <see cref="ArgumentException"/>.</remarks>
public sealed class NodeBuilder
{
    private readonly NodeProto _node;

    internal NodeBuilder(NodeProto node)
    {
        _node = node;
    }

    /// <summary>The node's name (given, or generated as <c>{opType}_{index}</c>).</summary>
    public string Name => _node.Name;

    /// <summary>The node's operator type.</summary>
    public string OpType => _node.OpType;

    /// <summary>Sets an INT attribute.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder Attr(string name, long value) =>
        Add(name, new AttributeProto { Type = AttributeProto.Types.AttributeType.Int, I = value });

    /// <summary>Sets a FLOAT attribute.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder Attr(string name, float value) =>
        Add(name, new AttributeProto { Type = AttributeProto.Types.AttributeType.Float, F = value });

    /// <summary>Sets a STRING attribute (written as UTF-8).</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder Attr(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Add(name, new AttributeProto { Type = AttributeProto.Types.AttributeType.String, S = Utf8(value) });
    }

    /// <summary>Sets an INTS attribute.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="values">The values.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder Attr(string name, long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var attribute = new AttributeProto { Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return Add(name, attribute);
    }

    /// <summary>Sets a FLOATS attribute.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="values">The values.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder Attr(string name, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var attribute = new AttributeProto { Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return Add(name, attribute);
    }

    /// <summary>Sets a STRINGS attribute (each written as UTF-8).</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="values">The values; none may be null.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder Attr(string name, string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var attribute = new AttributeProto { Type = AttributeProto.Types.AttributeType.Strings };
        foreach (var value in values)
        {
            if (value is null)
            {
                throw new ArgumentException($"Attribute '{name}' of node '{Name}': string values must not be null.", nameof(values));
            }

            attribute.Strings.Add(Utf8(value));
        }

        return Add(name, attribute);
    }

    /// <summary>Sets a TENSOR attribute of FLOAT elements, such as the <c>value</c> of a Constant node.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder AttrTensor(string name, ReadOnlySpan<float> values, params long[] dims) =>
        AddTensor(name, TensorEncoding.Float(TensorName(name), values, dims));

    /// <summary>Sets a TENSOR attribute of DOUBLE elements.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder AttrTensor(string name, ReadOnlySpan<double> values, params long[] dims) =>
        AddTensor(name, TensorEncoding.Double(TensorName(name), values, dims));

    /// <summary>Sets a TENSOR attribute of INT64 elements.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder AttrTensor(string name, ReadOnlySpan<long> values, params long[] dims) =>
        AddTensor(name, TensorEncoding.Int64(TensorName(name), values, dims));

    /// <summary>Sets a TENSOR attribute of INT32 elements.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder AttrTensor(string name, ReadOnlySpan<int> values, params long[] dims) =>
        AddTensor(name, TensorEncoding.Int32(TensorName(name), values, dims));

    /// <summary>Sets a TENSOR attribute of UINT8 elements, such as the <c>nodes_modes</c> of an opset-5 TreeEnsemble.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder AttrTensor(string name, ReadOnlySpan<byte> values, params long[] dims) =>
        AddTensor(name, TensorEncoding.UInt8(TensorName(name), values, dims));

    /// <summary>Sets a TENSOR attribute of STRING elements.</summary>
    /// <param name="name">The attribute name.</param>
    /// <param name="values">The elements in row-major order; none may be null.</param>
    /// <param name="dims">The shape, whose product must equal the number of values; none for a scalar.</param>
    /// <returns>This builder.</returns>
    public NodeBuilder AttrTensor(string name, ReadOnlySpan<string> values, params long[] dims) =>
        AddTensor(name, TensorEncoding.String(TensorName(name), values, dims));

    private string TensorName(string attributeName)
    {
        CheckName(attributeName);
        return $"{_node.Name}.{attributeName}";
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"An attribute name on node '{Name}' ({OpType}) must not be empty.", nameof(name));
        }

        foreach (var existing in _node.Attribute)
        {
            if (existing.Name == name)
            {
                throw new ArgumentException($"Node '{Name}' ({OpType}) already has an attribute '{name}'.", nameof(name));
            }
        }
    }

    private NodeBuilder AddTensor(string name, TensorProto tensor) =>
        Add(name, new AttributeProto { Type = AttributeProto.Types.AttributeType.Tensor, T = tensor });

    private NodeBuilder Add(string name, AttributeProto attribute)
    {
        CheckName(name);
        attribute.Name = name;
        _node.Attribute.Add(attribute);
        return this;
    }

    private static ByteString Utf8(string value) => ByteString.CopyFrom(Encoding.UTF8.GetBytes(value));
}
