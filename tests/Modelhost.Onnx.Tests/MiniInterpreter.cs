using Modelhost.Onnx.Protos;

namespace Modelhost.Onnx.Tests;

/// <summary>
/// Runs the few FLOAT operators the helper models use (MatMul, Add, Relu, ArgMax, Identity) straight
/// from the ModelProto, so the tests check the graph itself and not just the reference evaluators.
/// </summary>
internal static class MiniInterpreter
{
    internal sealed record Tensor(long[] Dims, float[] Data);

    public static Dictionary<string, Tensor> Run(byte[] modelBytes, Dictionary<string, Tensor> feeds)
    {
        var graph = ModelProto.Parser.ParseFrom(modelBytes).Graph;
        var values = new Dictionary<string, Tensor>(feeds);
        foreach (var init in graph.Initializer)
        {
            Assert.Equal((int)OnnxDataType.Float, init.DataType);
            values[init.Name] = new Tensor([.. init.Dims], TensorEncoding.ReadFloats(init.RawData));
        }

        foreach (var node in graph.Node)
        {
            var inputs = node.Input.Select(i => values[i]).ToArray();
            values[node.Output[0]] = node.OpType switch
            {
                "Identity" => inputs[0],
                "MatMul" => MatMul(inputs[0], inputs[1]),
                "Add" => Add(inputs[0], inputs[1]),
                "Relu" => new Tensor(inputs[0].Dims, [.. inputs[0].Data.Select(v => Math.Max(v, 0f))]),
                "ArgMax" => ArgMax(node, inputs[0]),
                _ => throw new NotSupportedException(node.OpType),
            };
        }

        return graph.Output.ToDictionary(o => o.Name, o => values[o.Name]);
    }

    private static Tensor MatMul(Tensor a, Tensor b)
    {
        Assert.Equal(2, a.Dims.Length);
        Assert.Equal(2, b.Dims.Length);
        Assert.Equal(a.Dims[1], b.Dims[0]);
        int rows = (int)a.Dims[0], inner = (int)a.Dims[1], cols = (int)b.Dims[1];
        var result = new float[rows * cols];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                var sum = 0f;
                for (var k = 0; k < inner; k++)
                {
                    sum += a.Data[(r * inner) + k] * b.Data[(k * cols) + c];
                }

                result[(r * cols) + c] = sum;
            }
        }

        return new Tensor([rows, cols], result);
    }

    private static Tensor Add(Tensor a, Tensor b)
    {
        if (a.Dims.SequenceEqual(b.Dims))
        {
            return new Tensor(a.Dims, [.. a.Data.Zip(b.Data, (x, y) => x + y)]);
        }

        // [rows, cols] + [cols] broadcast.
        Assert.Single(b.Dims);
        Assert.Equal(a.Dims[^1], b.Dims[0]);
        var cols = b.Data.Length;
        return new Tensor(a.Dims, [.. a.Data.Select((x, i) => x + b.Data[i % cols])]);
    }

    private static Tensor ArgMax(NodeProto node, Tensor x)
    {
        var attrs = node.Attribute.ToDictionary(a => a.Name);
        Assert.Equal(1, attrs["axis"].I);
        Assert.Equal(0, attrs["keepdims"].I);
        Assert.Equal(2, x.Dims.Length);
        int rows = (int)x.Dims[0], cols = (int)x.Dims[1];
        var result = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var best = 0;
            for (var c = 1; c < cols; c++)
            {
                if (x.Data[(r * cols) + c] > x.Data[(r * cols) + best])
                {
                    best = c;
                }
            }

            result[r] = best;
        }

        return new Tensor([rows], result);
    }
}
