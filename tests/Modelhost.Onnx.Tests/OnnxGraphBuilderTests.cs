using System.Buffers.Binary;
using System.Text;
using Modelhost.Onnx.Protos;

namespace Modelhost.Onnx.Tests;

public class OnnxGraphBuilderTests
{
    private static ModelProto Parse(byte[] bytes) => ModelProto.Parser.ParseFrom(bytes);

    private static OnnxGraphBuilder PassThrough(string name = "main")
    {
        var g = new OnnxGraphBuilder(name);
        g.Input("x", OnnxDataType.Float, "N", 4);
        g.Node("Identity", ["x"], ["y"]);
        g.Output("y", OnnxDataType.Float, "N", 4);
        return g;
    }

    [Fact]
    public void Defaults_are_ir_version_8_opset_17_and_producer_modelhost()
    {
        var model = Parse(PassThrough().ToBytes());

        Assert.Equal(8, model.IrVersion);
        Assert.Equal("modelhost", model.ProducerName);
        Assert.Equal("main", model.Graph.Name);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
    }

    [Fact]
    public void ToBytes_round_trips_inputs_outputs_and_opsets()
    {
        var g = new OnnxGraphBuilder("graph1") { ProducerName = "tests", ProducerVersion = "1.2.3", ModelVersion = 7 };
        g.UseOpset("ai.onnx.ml", 3);
        g.Input("a", OnnxDataType.Float, "N", 4);
        g.Input("b", OnnxDataType.Int64, 2, 3L, Dim.Unknown);
        g.Node("Identity", ["a"], ["a2"]);
        g.Node("Identity", ["b"], ["b2"]);
        g.Output("a2", OnnxDataType.Float, "N", 4);
        g.Output("b2", OnnxDataType.Int64);

        var summary = OnnxModelSummary.Read(g.ToBytes());

        Assert.Equal("graph1", summary.GraphName);
        Assert.Equal("tests", summary.ProducerName);
        Assert.Equal("1.2.3", summary.ProducerVersion);
        Assert.Equal(7, summary.ModelVersion);
        Assert.Equal(8, summary.IrVersion);
        Assert.Equal(new Dictionary<string, long> { [""] = 17, ["ai.onnx.ml"] = 3 }, summary.Opsets);
        Assert.Equal(2, summary.NodeCount);
        Assert.Equal(0, summary.InitializerCount);

        Assert.Equal(["a", "b"], summary.Inputs.Select(i => i.Name));
        var a = summary.Inputs[0];
        Assert.Equal(OnnxValueKind.Tensor, a.Kind);
        Assert.Equal(OnnxDataType.Float, a.ElementType);
        Assert.True(a.HasShape);
        Assert.Equal([-1L, 4L], a.Dims);
        Assert.Equal(["N", null], a.DimNames);
        Assert.Equal("a: Float[N,4]", a.ToString());

        var b = summary.Inputs[1];
        Assert.Equal(OnnxDataType.Int64, b.ElementType);
        Assert.Equal([2L, 3L, -1L], b.Dims);
        Assert.Equal([null, null, null], b.DimNames);
        Assert.Equal(3, b.Rank);

        Assert.Equal(["a2", "b2"], summary.Outputs.Select(o => o.Name));
        Assert.Equal([-1L, 4L], summary.Outputs[0].Dims);
        Assert.False(summary.Outputs[1].HasShape);
        Assert.Equal(-1, summary.Outputs[1].Rank);
        Assert.Empty(summary.Outputs[1].Dims);
        Assert.Equal("b2: Int64 (no shape)", summary.Outputs[1].ToString());
    }

    [Fact]
    public void ToBytes_round_trips_through_the_generated_parser()
    {
        var g = new OnnxGraphBuilder("g");
        g.Input("x", OnnxDataType.Double, "batch", 3, Dim.Unknown);
        g.Node("Neg", ["x"], ["y"], name: "negate");
        g.Output("y", OnnxDataType.Double);

        var model = Parse(g.ToBytes());

        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("x", input.Name);
        Assert.Equal(TypeProto.ValueOneofCase.TensorType, input.Type.ValueCase);
        Assert.Equal((int)TensorProto.Types.DataType.Double, input.Type.TensorType.ElemType);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal(3, dims.Count);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam, dims[0].ValueCase);
        Assert.Equal("batch", dims[0].DimParam);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, dims[1].ValueCase);
        Assert.Equal(3, dims[1].DimValue);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.None, dims[2].ValueCase);

        var output = Assert.Single(model.Graph.Output);
        Assert.Null(output.Type.TensorType.Shape);

        var node = Assert.Single(model.Graph.Node);
        Assert.Equal("Neg", node.OpType);
        Assert.Equal("negate", node.Name);
        Assert.Equal("", node.Domain);
        Assert.Equal(["x"], node.Input);
        Assert.Equal(["y"], node.Output);
    }

    [Fact]
    public void OnnxDataType_values_match_the_TensorProto_DataType_enum()
    {
        foreach (var type in Enum.GetValues<OnnxDataType>())
        {
            var name = type.ToString().ToUpperInvariant();
            var proto = Enum.GetValues<TensorProto.Types.DataType>().Single(d => d.ToString().ToUpperInvariant() == name);
            Assert.Equal((int)proto, (int)type);
        }
    }

    [Fact]
    public void Dim_of_zero_is_written_as_a_fixed_value()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 0, 2);
        g.Node("Identity", ["x"], ["y"]);
        g.Output("y", OnnxDataType.Float, 0, 2);

        var dim = Parse(g.ToBytes()).Graph.Input[0].Type.TensorType.Shape.Dim[0];

        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, dim.ValueCase);
        Assert.Equal(0, dim.DimValue);
        Assert.Equal([0L, 2L], OnnxModelSummary.Read(g.ToBytes()).Inputs[0].Dims);
    }

    [Fact]
    public void UseOpset_adds_a_domain_and_changes_an_existing_version()
    {
        var g = PassThrough();
        g.UseOpset("ai.onnx.ml", 3);
        g.UseOpset("", 13);
        g.UseOpset("ai.onnx.ml", 4);
        g.UseOpset("ai.onnx", 15);

        var opsets = Parse(g.ToBytes()).OpsetImport;

        Assert.Equal(2, opsets.Count);
        Assert.Equal(("", 15L), (opsets[0].Domain, opsets[0].Version));
        Assert.Equal(("ai.onnx.ml", 4L), (opsets[1].Domain, opsets[1].Version));
        Assert.Equal(new Dictionary<string, long> { [""] = 15, ["ai.onnx.ml"] = 4 }, g.Opsets);
        Assert.Throws<ArgumentOutOfRangeException>(() => g.UseOpset("x", 0));
    }

    [Fact]
    public void IrVersion_can_be_changed()
    {
        var g = PassThrough();
        g.IrVersion = 7;

        Assert.Equal(7, Parse(g.ToBytes()).IrVersion);
        Assert.Throws<ArgumentOutOfRangeException>(() => g.IrVersion = 0);
    }

    [Fact]
    public void Float_initializer_is_little_endian_raw_data_of_the_right_size()
    {
        var g = PassThrough();
        float[] values = [1.5f, -2.25f, 3e-8f, float.MaxValue, 0f, -0f];
        var name = g.Initializer("w", values, 2, 3);

        Assert.Equal("w", name);
        var tensor = Assert.Single(Parse(g.ToBytes()).Graph.Initializer);
        Assert.Equal("w", tensor.Name);
        Assert.Equal((int)OnnxDataType.Float, tensor.DataType);
        Assert.Equal([2L, 3L], tensor.Dims);
        Assert.Empty(tensor.FloatData);
        var raw = tensor.RawData.ToByteArray();
        Assert.Equal(values.Length * sizeof(float), raw.Length);
        for (var i = 0; i < values.Length; i++)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(i * 4));
            Assert.Equal(BitConverter.SingleToUInt32Bits(values[i]), bits);
        }

        // 1.5f is 0x3FC00000: least significant byte first.
        Assert.Equal(new byte[] { 0x00, 0x00, 0xC0, 0x3F }, raw[..4]);
    }

    [Fact]
    public void Numeric_initializers_use_little_endian_raw_data_for_every_type()
    {
        var g = PassThrough();
        g.Initializer("d", [1.0, -2.5], 2);
        g.Initializer("l", [1L, -2L, long.MaxValue], 3);
        g.Initializer("i", [0x01020304, -1], 2);
        g.Initializer("u8", [(byte)1, (byte)255], 2, 1);
        g.Initializer("b", [true, false, true], 3);
        g.Initializer("h", [(Half)1.0f, (Half)(-2.0f)], 2);

        var tensors = Parse(g.ToBytes()).Graph.Initializer.ToDictionary(t => t.Name);

        var d = tensors["d"];
        Assert.Equal((int)OnnxDataType.Double, d.DataType);
        Assert.Equal(16, d.RawData.Length);
        Assert.Equal(-2.5, BinaryPrimitives.ReadDoubleLittleEndian(d.RawData.Span[8..]));

        var l = tensors["l"];
        Assert.Equal((int)OnnxDataType.Int64, l.DataType);
        Assert.Equal(24, l.RawData.Length);
        Assert.Equal(-2L, BinaryPrimitives.ReadInt64LittleEndian(l.RawData.Span[8..]));
        Assert.Equal(long.MaxValue, BinaryPrimitives.ReadInt64LittleEndian(l.RawData.Span[16..]));

        var i = tensors["i"];
        Assert.Equal((int)OnnxDataType.Int32, i.DataType);
        Assert.Equal(new byte[] { 4, 3, 2, 1, 0xFF, 0xFF, 0xFF, 0xFF }, i.RawData.ToByteArray());

        var u8 = tensors["u8"];
        Assert.Equal((int)OnnxDataType.UInt8, u8.DataType);
        Assert.Equal([2L, 1L], u8.Dims);
        Assert.Equal(new byte[] { 1, 255 }, u8.RawData.ToByteArray());

        var b = tensors["b"];
        Assert.Equal((int)OnnxDataType.Bool, b.DataType);
        Assert.Equal(new byte[] { 1, 0, 1 }, b.RawData.ToByteArray());

        var h = tensors["h"];
        Assert.Equal((int)OnnxDataType.Float16, h.DataType);
        Assert.Equal(new byte[] { 0x00, 0x3C, 0x00, 0xC0 }, h.RawData.ToByteArray());
    }

    [Fact]
    public void String_initializer_uses_utf8_string_data()
    {
        var g = PassThrough();
        g.Initializer("classes", ["cat", "dög", ""], 3);

        var tensor = Assert.Single(Parse(g.ToBytes()).Graph.Initializer);

        Assert.Equal((int)OnnxDataType.String, tensor.DataType);
        Assert.True(tensor.RawData.IsEmpty);
        Assert.Equal(["cat", "dög", ""], tensor.StringData.Select(s => s.ToStringUtf8()));
        Assert.Equal(Encoding.UTF8.GetBytes("dög"), tensor.StringData[1].ToByteArray());
    }

    [Fact]
    public void Initializer_without_dims_is_a_scalar()
    {
        var g = PassThrough();
        g.Initializer("s", [2f]);

        var tensor = Assert.Single(Parse(g.ToBytes()).Graph.Initializer);

        Assert.Empty(tensor.Dims);
        Assert.Equal(4, tensor.RawData.Length);
    }

    [Fact]
    public void Initializer_dims_must_match_the_number_of_values()
    {
        var g = PassThrough();

        var ex = Assert.Throws<ArgumentException>(() => g.Initializer("w", [1f, 2f, 3f], 2, 2));
        Assert.Contains("'w' has 3 value(s) but dims [2,2] hold 4", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => g.Initializer("v", [1f, 2f]));
        Assert.Throws<ArgumentException>(() => g.Initializer("n", [1f], -1));
        Assert.Throws<ArgumentException>(() => g.Initializer("big", [1f], long.MaxValue, 2));
        Assert.Throws<ArgumentException>(() => g.Initializer("s", ["a", null!], 2));

        // A failed initializer defines nothing.
        Assert.Equal("w", g.Initializer("w", [1f, 2f, 3f, 4f], 2, 2));
    }

    [Fact]
    public void Empty_initializer_with_a_zero_dim_is_allowed()
    {
        var g = PassThrough();
        g.Initializer("e", ReadOnlySpan<float>.Empty, 0, 3);

        var tensor = Assert.Single(Parse(g.ToBytes()).Graph.Initializer);
        Assert.Equal([0L, 3L], tensor.Dims);
        Assert.True(tensor.RawData.IsEmpty);
    }

    [Fact]
    public void Node_attributes_round_trip_with_their_types()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, "N", 4);
        g.Node("Custom", ["x"], ["y"], name: "n", domain: "test.domain")
            .Attr("i", 5)
            .Attr("zero", 0L)
            .Attr("f", 0.5f)
            .Attr("fzero", 0f)
            .Attr("s", "héllo")
            .Attr("empty", "")
            .Attr("ints", [1L, -2L, 3L])
            .Attr("floats", [1.5f, 2.5f])
            .Attr("strings", ["a", "b"]);
        g.UseOpset("test.domain", 1);
        g.Output("y", OnnxDataType.Float);

        var node = Assert.Single(Parse(g.ToBytes()).Graph.Node);
        var attrs = node.Attribute.ToDictionary(a => a.Name);

        Assert.Equal("test.domain", node.Domain);
        Assert.Equal(AttributeProto.Types.AttributeType.Int, attrs["i"].Type);
        Assert.Equal(5, attrs["i"].I);
        Assert.Equal(AttributeProto.Types.AttributeType.Int, attrs["zero"].Type);
        Assert.True(attrs["zero"].HasI, "a zero INT attribute is still written");
        Assert.Equal(AttributeProto.Types.AttributeType.Float, attrs["f"].Type);
        Assert.Equal(0.5f, attrs["f"].F);
        Assert.True(attrs["fzero"].HasF);
        Assert.False(attrs["f"].HasI);
        Assert.Equal(AttributeProto.Types.AttributeType.String, attrs["s"].Type);
        Assert.Equal("héllo", attrs["s"].S.ToStringUtf8());
        Assert.True(attrs["empty"].HasS);
        Assert.Equal(AttributeProto.Types.AttributeType.Ints, attrs["ints"].Type);
        Assert.Equal([1L, -2L, 3L], attrs["ints"].Ints);
        Assert.Equal(AttributeProto.Types.AttributeType.Floats, attrs["floats"].Type);
        Assert.Equal([1.5f, 2.5f], attrs["floats"].Floats);
        Assert.Equal(AttributeProto.Types.AttributeType.Strings, attrs["strings"].Type);
        Assert.Equal(["a", "b"], attrs["strings"].Strings.Select(s => s.ToStringUtf8()));
    }

    [Fact]
    public void Int_attribute_literal_binds_to_the_long_overload()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, "N", 3);
        g.Node("ArgMax", ["x"], ["y"]).Attr("axis", 1);
        g.Output("y", OnnxDataType.Int64, "N", 1);

        var attribute = Assert.Single(Parse(g.ToBytes()).Graph.Node[0].Attribute);
        Assert.Equal(AttributeProto.Types.AttributeType.Int, attribute.Type);
    }

    [Fact]
    public void Tensor_attribute_makes_a_constant_node()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 2, 2);
        var node = g.Node("Constant", [], ["c"]).AttrTensor("value", [1f, 2f, 3f, 4f], 2, 2);
        g.Node("Add", ["x", "c"], ["y"]);
        g.Node("Constant", [], ["axes"]).AttrTensor("value", [0L], 1);
        g.Node("Constant", [], ["labels"]).AttrTensor("value", ["a", "b"], 2);
        g.Node("Constant", [], ["d"]).AttrTensor("value", [1.0]);
        g.Node("Constant", [], ["i"]).AttrTensor("value", [7], 1);
        g.Output("y", OnnxDataType.Float, 2, 2);

        var nodes = Parse(g.ToBytes()).Graph.Node;

        Assert.Equal("Constant_0", node.Name);
        Assert.Equal("Constant", node.OpType);
        var value = Assert.Single(nodes[0].Attribute);
        Assert.Equal("value", value.Name);
        Assert.Equal(AttributeProto.Types.AttributeType.Tensor, value.Type);
        Assert.Equal((int)OnnxDataType.Float, value.T.DataType);
        Assert.Equal([2L, 2L], value.T.Dims);
        Assert.Equal(16, value.T.RawData.Length);
        Assert.Equal((int)OnnxDataType.Int64, nodes[2].Attribute[0].T.DataType);
        Assert.Equal(["a", "b"], nodes[3].Attribute[0].T.StringData.Select(s => s.ToStringUtf8()));
        Assert.Equal((int)OnnxDataType.Double, nodes[4].Attribute[0].T.DataType);
        Assert.Empty(nodes[4].Attribute[0].T.Dims);
        Assert.Equal((int)OnnxDataType.Int32, nodes[5].Attribute[0].T.DataType);
    }

    [Fact]
    public void Attribute_names_must_be_non_empty_and_unique()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, "N", 3);
        var node = g.Node("ArgMax", ["x"], ["y"]).Attr("axis", 1);

        var ex = Assert.Throws<ArgumentException>(() => node.Attr("axis", 0));
        Assert.Contains("already has an attribute 'axis'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => node.Attr("", 0));
        Assert.Throws<ArgumentException>(() => node.AttrTensor("axis", [1f]));
        Assert.Throws<ArgumentNullException>(() => node.Attr("s", (string)null!));
        Assert.Throws<ArgumentException>(() => node.Attr("ss", ["a", null!]));
    }

    [Fact]
    public void Metadata_round_trips()
    {
        var g = PassThrough();
        g.Metadata("author", "tests");
        g.Metadata("classes", "cat,dog");

        var summary = OnnxModelSummary.Read(g.ToBytes());

        Assert.Equal(new Dictionary<string, string> { ["author"] = "tests", ["classes"] = "cat,dog" }, summary.Metadata);
        var props = Parse(g.ToBytes()).MetadataProps;
        Assert.Equal(["author", "classes"], props.Select(p => p.Key));
    }

    [Fact]
    public void Metadata_key_must_be_non_empty_and_unique()
    {
        var g = PassThrough();
        g.Metadata("k", "v");

        var ex = Assert.Throws<ArgumentException>(() => g.Metadata("k", "w"));
        Assert.Contains("'k' is already set", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => g.Metadata("", "v"));
    }

    [Fact]
    public void Duplicate_value_names_throw()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 2);
        g.Initializer("w", [1f, 2f], 2);
        g.Node("Add", ["x", "w"], ["y"]);

        var ex = Assert.Throws<ArgumentException>(() => g.Input("x", OnnxDataType.Float, 2));
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("already defined", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => g.Input("w", OnnxDataType.Float, 2));
        Assert.Throws<ArgumentException>(() => g.Initializer("x", [1f], 1));
        Assert.Throws<ArgumentException>(() => g.Initializer("y", [1f], 1));
        ex = Assert.Throws<ArgumentException>(() => g.Node("Neg", ["x"], ["y"]));
        Assert.Contains("writes 'y', which is already defined", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => g.Node("Neg", ["x"], ["x"]));
        Assert.Throws<ArgumentException>(() => g.Node("Split", ["x"], ["p", "p"]));
    }

    [Fact]
    public void Duplicate_outputs_and_node_names_throw()
    {
        var g = PassThrough();
        g.Node("Neg", ["x"], ["z"], name: "neg");

        Assert.Throws<ArgumentException>(() => g.Output("y", OnnxDataType.Float));
        var ex = Assert.Throws<ArgumentException>(() => g.Node("Neg", ["x"], ["z2"], name: "neg"));
        Assert.Contains("'neg' already exists", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_names_throw()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 2);

        Assert.Throws<ArgumentException>(() => new OnnxGraphBuilder(""));
        Assert.Throws<ArgumentException>(() => g.Input("", OnnxDataType.Float, 2));
        Assert.Throws<ArgumentException>(() => g.Input(" ", OnnxDataType.Float, 2));
        Assert.Throws<ArgumentException>(() => g.Output("", OnnxDataType.Float, 2));
        Assert.Throws<ArgumentException>(() => g.Initializer("", [1f], 1));
        Assert.Throws<ArgumentException>(() => g.Node("", ["x"], ["y"]));
        Assert.Throws<ArgumentException>(() => g.Node("Neg", ["x"], ["y"], name: ""));
        var ex = Assert.Throws<ArgumentException>(() => g.Node("Neg", ["x"], [""]));
        Assert.Contains("has no outputs", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => g.Node("Neg", ["x"], []));
    }

    [Fact]
    public void Undefined_element_type_throws()
    {
        var g = new OnnxGraphBuilder();

        Assert.Throws<ArgumentException>(() => g.Input("x", OnnxDataType.Undefined, 2));
        Assert.Throws<ArgumentException>(() => g.Output("y", (OnnxDataType)99, 2));
    }

    [Fact]
    public void Unknown_node_input_throws_and_leaves_the_graph_unchanged()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 2);

        var ex = Assert.Throws<ArgumentException>(() => g.Node("Add", ["x", "missing"], ["y"], name: "add"));

        Assert.Equal("inputs", ex.ParamName);
        Assert.Contains("Node 'add' (Add) reads 'missing'", ex.Message, StringComparison.Ordinal);
        // Neither the node name nor the output was taken.
        g.Node("Neg", ["x"], ["y"], name: "add");
        g.Output("y", OnnxDataType.Float, 2);
        Assert.Single(Parse(g.ToBytes()).Graph.Node);
    }

    [Fact]
    public void Node_cannot_read_its_own_output_or_a_later_value()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 2);

        Assert.Throws<ArgumentException>(() => g.Node("Add", ["x", "y"], ["y"]));
    }

    [Fact]
    public void Empty_input_name_marks_an_omitted_optional_input()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, "N", 4);
        g.Initializer("min", [0f]);
        g.Node("Clip", ["x", "min", ""], ["y", ""]);
        g.Output("y", OnnxDataType.Float, "N", 4);

        var node = Assert.Single(Parse(g.ToBytes()).Graph.Node);
        Assert.Equal(["x", "min", ""], node.Input);
    }

    [Fact]
    public void Generated_node_names_are_unique()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 2);
        g.Node("Neg", ["x"], ["a"], name: "Neg_1");
        var second = g.Node("Neg", ["a"], ["b"]);
        var third = g.Node("Neg", ["b"], ["c"]);

        Assert.Equal("Neg_1_1", second.Name);
        Assert.Equal("Neg_2", third.Name);
        Assert.Equal("Neg", third.OpType);
    }

    [Fact]
    public void ToBytes_requires_every_output_to_be_produced()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 2);
        g.Output("y", OnnxDataType.Float, 2);

        var ex = Assert.Throws<InvalidOperationException>(() => g.ToBytes());
        Assert.Contains("Graph output 'y' is not produced", ex.Message, StringComparison.Ordinal);

        g.Node("Neg", ["x"], ["y"]);
        Assert.NotEmpty(g.ToBytes());
    }

    [Fact]
    public void ToBytes_requires_an_output()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 2);

        var ex = Assert.Throws<InvalidOperationException>(() => g.ToBytes());
        Assert.Contains("declares no outputs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_may_be_an_input_or_an_initializer()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, 2);
        g.Initializer("c", [1f, 2f], 2);
        g.Output("x", OnnxDataType.Float, 2);
        g.Output("c", OnnxDataType.Float, 2);

        Assert.Equal(2, OnnxModelSummary.Read(g.ToBytes()).Outputs.Count);
    }

    [Fact]
    public void ToBytes_requires_an_opset_for_each_node_domain()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", OnnxDataType.Float, "N", 4);
        g.Node("Normalizer", ["x"], ["y"], domain: "ai.onnx.ml").Attr("norm", "L2");
        g.Output("y", OnnxDataType.Float, "N", 4);

        var ex = Assert.Throws<InvalidOperationException>(() => g.ToBytes());
        Assert.Contains("domain 'ai.onnx.ml', which has no opset import", ex.Message, StringComparison.Ordinal);

        g.UseOpset("ai.onnx.ml", 3);
        Assert.Equal(3, OnnxModelSummary.Read(g.ToBytes()).Opsets["ai.onnx.ml"]);
    }

    [Fact]
    public void ToBytes_is_deterministic_and_the_builder_stays_usable()
    {
        var g = PassThrough();
        var first = g.ToBytes();

        Assert.Equal(first, g.ToBytes());

        g.Node("Neg", ["y"], ["z"]);
        g.Output("z", OnnxDataType.Float, "N", 4);
        Assert.Single(Parse(first).Graph.Node);
        Assert.Equal(2, Parse(g.ToBytes()).Graph.Node.Count);
    }

    [Fact]
    public void Save_writes_the_same_bytes_as_ToBytes()
    {
        var g = PassThrough();
        var path = Path.Combine(Path.GetTempPath(), $"modelhost-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            g.Save(path);

            Assert.Equal(g.ToBytes(), File.ReadAllBytes(path));
            Assert.Equal("main", OnnxModelSummary.ReadFile(path).GraphName);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
