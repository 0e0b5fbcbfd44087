using Modelhost.Onnx.Protos;

namespace Modelhost.Onnx.Tests;

public class OnnxModelsTests
{
    [Theory]
    [InlineData(OnnxDataType.Float)]
    [InlineData(OnnxDataType.Int64)]
    [InlineData(OnnxDataType.String)]
    [InlineData(OnnxDataType.Bool)]
    [InlineData(OnnxDataType.Float16)]
    public void Identity_has_input_x_and_output_y_of_the_given_type_and_shape(OnnxDataType type)
    {
        var summary = OnnxModelSummary.Read(OnnxModels.Identity(type, "N", 3));

        Assert.Equal("identity", summary.GraphName);
        Assert.Equal(1, summary.NodeCount);
        Assert.Equal(new Dictionary<string, long> { [""] = 17 }, summary.Opsets);
        var x = Assert.Single(summary.Inputs);
        var y = Assert.Single(summary.Outputs);
        Assert.Equal(("x", type), (x.Name, x.ElementType));
        Assert.Equal(("y", type), (y.Name, y.ElementType));
        Assert.Equal([-1L, 3L], x.Dims);
        Assert.Equal(["N", null], x.DimNames);
        Assert.Equal([-1L, 3L], y.Dims);
    }

    [Fact]
    public void Identity_without_dims_has_no_shape()
    {
        var summary = OnnxModelSummary.Read(OnnxModels.Identity(OnnxDataType.Double));

        Assert.False(summary.Inputs[0].HasShape);
        Assert.False(summary.Outputs[0].HasShape);
    }

    [Fact]
    public void Identity_rejects_undefined_type()
    {
        Assert.Throws<ArgumentException>(() => OnnxModels.Identity(OnnxDataType.Undefined, 1));
    }

    [Theory]
    [InlineData(OnnxDataType.Float)]
    [InlineData(OnnxDataType.Double)]
    [InlineData(OnnxDataType.Int32)]
    [InlineData(OnnxDataType.Int64)]
    public void Add_has_inputs_a_and_b_and_output_sum(OnnxDataType type)
    {
        var bytes = OnnxModels.Add(type, 2, "M");
        var summary = OnnxModelSummary.Read(bytes);

        Assert.Equal("add", summary.GraphName);
        Assert.Equal(["a", "b"], summary.Inputs.Select(i => i.Name));
        Assert.Equal("sum", Assert.Single(summary.Outputs).Name);
        Assert.All(summary.Inputs.Concat(summary.Outputs), v =>
        {
            Assert.Equal(type, v.ElementType);
            Assert.Equal([2L, -1L], v.Dims);
            Assert.Equal([null, "M"], v.DimNames);
        });
        var node = Assert.Single(ModelProto.Parser.ParseFrom(bytes).Graph.Node);
        Assert.Equal("Add", node.OpType);
        Assert.Equal(["a", "b"], node.Input);
        Assert.Equal(["sum"], node.Output);
    }

    [Theory]
    [InlineData(OnnxDataType.String)]
    [InlineData(OnnxDataType.Bool)]
    [InlineData(OnnxDataType.Undefined)]
    public void Add_rejects_non_numeric_types(OnnxDataType type)
    {
        Assert.Throws<ArgumentException>(() => OnnxModels.Add(type, 2));
    }

    [Theory]
    [InlineData(4, 8, 3, 0)]
    [InlineData(4, 8, 3, 1)]
    [InlineData(10, 16, 2, 3)]
    public void Mlp_has_x_and_y_with_symbolic_batch_and_one_block_per_layer(int inputs, int hidden, int outputs, int layers)
    {
        var bytes = OnnxModels.Mlp(inputs, hidden, outputs, layers, seed: 42);
        var summary = OnnxModelSummary.Read(bytes);

        Assert.Equal("mlp", summary.GraphName);
        var x = Assert.Single(summary.Inputs);
        Assert.Equal(("x", OnnxDataType.Float), (x.Name, x.ElementType));
        Assert.Equal([-1L, inputs], x.Dims);
        Assert.Equal(["N", null], x.DimNames);
        var y = Assert.Single(summary.Outputs);
        Assert.Equal(("y", OnnxDataType.Float), (y.Name, y.ElementType));
        Assert.Equal([-1L, outputs], y.Dims);
        Assert.Equal(["N", null], y.DimNames);
        Assert.Equal((3 * layers) + 2, summary.NodeCount);
        Assert.Equal(2 * (layers + 1), summary.InitializerCount);

        var graph = ModelProto.Parser.ParseFrom(bytes).Graph;
        Assert.Equal(layers, graph.Node.Count(n => n.OpType == "Relu"));
        Assert.Equal("Add", graph.Node[^1].OpType);
        Assert.Equal(["y"], graph.Node[^1].Output);
        var tensors = graph.Initializer.ToDictionary(t => t.Name);
        for (var k = 0; k <= layers; k++)
        {
            var fanIn = k == 0 ? inputs : hidden;
            var fanOut = k == layers ? outputs : hidden;
            Assert.Equal([fanIn, fanOut], tensors[$"W{k}"].Dims);
            Assert.Equal(fanIn * fanOut * 4, tensors[$"W{k}"].RawData.Length);
            Assert.Equal([(long)fanOut], tensors[$"B{k}"].Dims);
            var bound = 1 / Math.Sqrt(fanIn);
            Assert.All(TensorEncoding.ReadFloats(tensors[$"W{k}"].RawData), w => Assert.InRange(Math.Abs(w), 0, bound));
        }
    }

    [Fact]
    public void Mlp_is_deterministic_for_a_seed()
    {
        Assert.Equal(OnnxModels.Mlp(4, 8, 3, 2, seed: 7), OnnxModels.Mlp(4, 8, 3, 2, seed: 7));
        Assert.NotEqual(OnnxModels.Mlp(4, 8, 3, 2, seed: 7), OnnxModels.Mlp(4, 8, 3, 2, seed: 8));
    }

    [Fact]
    public void Mlp_first_weights_follow_the_documented_draw()
    {
        var graph = ModelProto.Parser.ParseFrom(OnnxModels.Mlp(4, 2, 1, 1, seed: 3)).Graph;
        var random = new Random(3);
        var expected = Enumerable.Range(0, 8).Select(_ => (float)(((random.NextDouble() * 2) - 1) / Math.Sqrt(4))).ToArray();

        Assert.Equal(expected, TensorEncoding.ReadFloats(graph.Initializer.Single(t => t.Name == "W0").RawData));
    }

    [Theory]
    [InlineData(4, 8, 3, 0)]
    [InlineData(4, 8, 3, 2)]
    [InlineData(3, 5, 1, 1)]
    public void Mlp_graph_computes_what_EvaluateMlp_computes(int inputs, int hidden, int outputs, int layers)
    {
        var bytes = OnnxModels.Mlp(inputs, hidden, outputs, layers, seed: 11);
        var random = new Random(5);
        var x = Enumerable.Range(0, 3 * inputs).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();

        var y = MiniInterpreter.Run(bytes, new() { ["x"] = new([3, inputs], x) })["y"];
        var expected = OnnxModels.EvaluateMlp(inputs, hidden, outputs, layers, 11, x);

        Assert.Equal([3L, outputs], y.Dims);
        Assert.Equal(expected.Length, y.Data.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], y.Data[i], 5);
        }

        Assert.Contains(expected, v => v != 0);
    }

    [Fact]
    public void Mlp_rejects_bad_sizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModels.Mlp(0, 8, 3, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModels.Mlp(4, 0, 3, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModels.Mlp(4, 8, 0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModels.Mlp(4, 8, 3, -1, 1));
        Assert.Throws<ArgumentException>(() => OnnxModels.EvaluateMlp(4, 8, 3, 1, 1, new float[5]));
    }

    [Fact]
    public void ScaleAndLabel_has_x_scores_and_label()
    {
        var bytes = OnnxModels.ScaleAndLabel();
        var summary = OnnxModelSummary.Read(bytes);

        Assert.Equal("scale_and_label", summary.GraphName);
        var x = Assert.Single(summary.Inputs);
        Assert.Equal(("x", OnnxDataType.Float), (x.Name, x.ElementType));
        Assert.Equal([-1L, 4L], x.Dims);
        Assert.Equal(["N", null], x.DimNames);
        Assert.Equal(["scores", "label"], summary.Outputs.Select(o => o.Name));
        Assert.Equal(OnnxDataType.Float, summary.Outputs[0].ElementType);
        Assert.Equal([-1L, 3L], summary.Outputs[0].Dims);
        Assert.Equal(OnnxDataType.Int64, summary.Outputs[1].ElementType);
        Assert.Equal([-1L], summary.Outputs[1].Dims);
        Assert.Equal(["N"], summary.Outputs[1].DimNames);

        var graph = ModelProto.Parser.ParseFrom(bytes).Graph;
        var w = Assert.Single(graph.Initializer);
        Assert.Equal("W", w.Name);
        Assert.Equal([4L, 3L], w.Dims);
        Assert.Equal(OnnxModels.ScaleAndLabelWeights(), TensorEncoding.ReadFloats(w.RawData));
        var argMax = graph.Node.Single(n => n.OpType == "ArgMax");
        Assert.Equal(1, argMax.Attribute.Single(a => a.Name == "axis").I);
        var keepdims = argMax.Attribute.Single(a => a.Name == "keepdims");
        Assert.True(keepdims.HasI);
        Assert.Equal(0, keepdims.I);
    }

    [Fact]
    public void ScaleAndLabel_computes_the_documented_examples()
    {
        float[] x = [1, 1, 1, 0, 0, 0, 0, 5, 3, 0, 0, -1, 0.5f, -2, 0.1f, 10];
        var outputs = MiniInterpreter.Run(OnnxModels.ScaleAndLabel(), new() { ["x"] = new([4, 4], x) });
        var (scores, labels) = OnnxModels.EvaluateScaleAndLabel(x);

        Assert.Equal([2f, 3f, 4f, 5f, 5f, 5f, 5f, -1f, -1f], scores[..9]);
        Assert.Equal([2L, 0L, 0L, 0L], labels);
        Assert.Equal(scores, outputs["scores"].Data);
        Assert.Equal(labels.Select(l => (float)l), outputs["label"].Data);
        Assert.Equal([4L], outputs["label"].Dims);
    }

    [Fact]
    public void ScaleAndLabelWeights_returns_a_copy()
    {
        var w = OnnxModels.ScaleAndLabelWeights();
        w[0] = 100;

        Assert.Equal(2f, OnnxModels.ScaleAndLabelWeights()[0]);
        Assert.Equal(12, w.Length);
    }

    [Fact]
    public void Helper_models_are_stable_bytes()
    {
        Assert.Equal(OnnxModels.ScaleAndLabel(), OnnxModels.ScaleAndLabel());
        Assert.Equal(OnnxModels.Identity(OnnxDataType.Float, "N", 4), OnnxModels.Identity(OnnxDataType.Float, "N", 4));
    }
}
