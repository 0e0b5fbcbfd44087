using System.Text;
using Google.Protobuf;
using Modelhost.Onnx.Protos;

namespace Modelhost.Onnx.Tests;

public class OnnxModelSummaryTests
{
    [Fact]
    public void Read_rejects_empty_data()
    {
        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelSummary.Read([]));
        Assert.Contains("Not an ONNX model", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("{\"model\": 1}")]
    [InlineData("PK\u0003\u0004 not a zip either")]
    public void Read_rejects_text(string text)
    {
        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelSummary.Read(Encoding.UTF8.GetBytes(text)));
        Assert.StartsWith("Not an ONNX model", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_rejects_random_bytes()
    {
        var random = new Random(1);
        for (var i = 0; i < 50; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            Assert.Throws<InvalidDataException>(() => OnnxModelSummary.Read(bytes));
        }
    }

    [Fact]
    public void Read_rejects_a_truncated_model()
    {
        var bytes = OnnxModels.Mlp(4, 8, 2, 1, seed: 1);

        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelSummary.Read(bytes.AsSpan(0, bytes.Length - 10)));
        Assert.IsType<InvalidProtocolBufferException>(ex.InnerException);
    }

    [Fact]
    public void Read_rejects_a_model_without_graph_or_ir_version()
    {
        var noGraph = new ModelProto { IrVersion = 8 }.ToByteArray();
        var noVersion = new ModelProto { Graph = new GraphProto { Name = "g" } }.ToByteArray();

        Assert.Contains("no graph", Assert.Throws<InvalidDataException>(() => OnnxModelSummary.Read(noGraph)).Message, StringComparison.Ordinal);
        Assert.Contains("no ir_version", Assert.Throws<InvalidDataException>(() => OnnxModelSummary.Read(noVersion)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_names_the_file_in_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"modelhost-onnx-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(path, "not a model");
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => OnnxModelSummary.ReadFile(path));
            Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Inputs_with_an_initializer_are_left_out()
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            Graph = new GraphProto { Name = "g" },
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx", Version = 13 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 11 });
        model.Graph.Input.Add(TensorValue("x", OnnxDataType.Float));
        model.Graph.Input.Add(TensorValue("w", OnnxDataType.Float));
        model.Graph.Initializer.Add(new TensorProto { Name = "w", DataType = (int)OnnxDataType.Float });
        model.Graph.Output.Add(TensorValue("y", OnnxDataType.Float));

        var summary = OnnxModelSummary.Read(model.ToByteArray());

        Assert.Equal("x", Assert.Single(summary.Inputs).Name);
        Assert.Equal(1, summary.InitializerCount);
        Assert.Equal(new Dictionary<string, long> { [""] = 13 }, summary.Opsets);
    }

    [Fact]
    public void Non_tensor_values_are_reported_by_kind()
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto() };
        model.Graph.Input.Add(TensorValue("x", OnnxDataType.Float));
        var mapType = new TypeProto
        {
            MapType = new TypeProto.Types.Map
            {
                KeyType = (int)OnnxDataType.Int64,
                ValueType = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)OnnxDataType.Float } },
            },
        };
        model.Graph.Output.Add(new ValueInfoProto
        {
            Name = "probabilities",
            Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = mapType } },
        });
        model.Graph.Output.Add(new ValueInfoProto { Name = "map", Type = mapType });
        model.Graph.Output.Add(new ValueInfoProto { Name = "untyped" });

        var outputs = OnnxModelSummary.Read(model.ToByteArray()).Outputs;

        Assert.Equal(OnnxValueKind.Sequence, outputs[0].Kind);
        Assert.Equal(OnnxDataType.Undefined, outputs[0].ElementType);
        Assert.False(outputs[0].HasShape);
        Assert.Equal("probabilities: Sequence", outputs[0].ToString());
        Assert.Equal(OnnxValueKind.Map, outputs[1].Kind);
        Assert.Equal(OnnxValueKind.Other, outputs[2].Kind);
    }

    [Fact]
    public void Scalar_tensor_has_a_shape_of_rank_zero()
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto() };
        var value = TensorValue("s", OnnxDataType.Double);
        value.Type.TensorType.Shape = new TensorShapeProto();
        model.Graph.Output.Add(value);

        var output = Assert.Single(OnnxModelSummary.Read(model.ToByteArray()).Outputs);

        Assert.True(output.HasShape);
        Assert.Equal(0, output.Rank);
        Assert.Equal("s: Double[]", output.ToString());
    }

    [Fact]
    public void Unknown_fields_from_newer_onnx_versions_are_ignored()
    {
        var bytes = OnnxModels.Identity(OnnxDataType.Float, "N", 3);
        // ModelProto.functions (field 25, a message) is not in our schema: tag (25 << 3) | 2 = 202 as a varint.
        var extra = new byte[] { 0xCA, 0x01, 2, 0x0A, 0x00 };

        var summary = OnnxModelSummary.Read([.. bytes, .. extra]);

        Assert.Equal("identity", summary.GraphName);
    }

    private static ValueInfoProto TensorValue(string name, OnnxDataType type) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } },
    };
}
