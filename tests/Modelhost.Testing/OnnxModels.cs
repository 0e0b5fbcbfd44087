using Modelhost.Onnx;

namespace Modelhost.Testing;

/// <summary>
/// Small, exactly specified ONNX models for tests and fixtures. Each model is written by
/// <see cref="OnnxGraphBuilder"/> with its defaults (IR version 8, default-domain opset 17,
/// producer <c>"modelhost"</c>) and is the same, byte for byte, for the same arguments.
/// </summary>
public static class OnnxModels
{
    private static readonly float[] _scaleAndLabelWeights =
    [
        2f, 0f, 0f,
        0f, 3f, 0f,
        0f, 0f, 4f,
        1f, 1f, 1f,
    ];

    /// <summary>
    /// One Identity node: input <c>"x"</c>, output <c>"y"</c>, both of <paramref name="type"/> and
    /// <paramref name="dims"/> (no dims: no shape information, which ONNX Runtime accepts and
    /// <c>onnx.checker</c> does not). Graph name <c>"identity"</c>.
    /// </summary>
    /// <param name="type">The element type; any but <see cref="OnnxDataType.Undefined"/>.</param>
    /// <param name="dims">The shape of both input and output, such as <c>"N", 4</c>.</param>
    /// <returns>The model's bytes.</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a valid element type.</exception>
    public static byte[] Identity(OnnxDataType type, params Dim[] dims)
    {
        var g = new OnnxGraphBuilder("identity");
        g.Input("x", type, dims);
        g.Node("Identity", ["x"], ["y"]);
        g.Output("y", type, dims);
        return g.ToBytes();
    }

    /// <summary>
    /// One Add node: inputs <c>"a"</c> and <c>"b"</c>, output <c>"sum"</c> = a + b, all three of
    /// <paramref name="type"/> and <paramref name="dims"/>. Graph name <c>"add"</c>.
    /// </summary>
    /// <param name="type">A numeric element type (not <see cref="OnnxDataType.String"/>, <see cref="OnnxDataType.Bool"/> or <see cref="OnnxDataType.Undefined"/>).</param>
    /// <param name="dims">The shape of the inputs and the output (none: no shape information, as for <see cref="Identity"/>).</param>
    /// <returns>The model's bytes.</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not numeric.</exception>
    public static byte[] Add(OnnxDataType type, params Dim[] dims)
    {
        if (type is OnnxDataType.String or OnnxDataType.Bool or OnnxDataType.Undefined)
        {
            throw new ArgumentException($"Add needs a numeric element type, not {type}.", nameof(type));
        }

        var g = new OnnxGraphBuilder("add");
        g.Input("a", type, dims);
        g.Input("b", type, dims);
        g.Node("Add", ["a", "b"], ["sum"]);
        g.Output("sum", type, dims);
        return g.ToBytes();
    }

    /// <summary>
    /// A FLOAT multi-layer perceptron: input <c>"x"</c> [N, <paramref name="inputs"/>], output
    /// <c>"y"</c> [N, <paramref name="outputs"/>], with the batch dimension symbolic <c>"N"</c>.
    /// Graph name <c>"mlp"</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The model has <paramref name="layers"/> hidden layers of width <paramref name="hidden"/>, each
    /// <c>Relu(MatMul(h, W{k}) + B{k})</c>, then an output layer <c>MatMul(h, W{L}) + B{L}</c>
    /// without Relu (L = <paramref name="layers"/>; with no hidden layers the model is one
    /// linear layer). Layer k's initializers are <c>W{k}</c> [fanIn, fanOut] and <c>B{k}</c> [fanOut].
    /// </para>
    /// <para>
    /// Weights are drawn from <c>new System.Random(seed)</c> in this order: for k = 0..L, first the
    /// fanIn × fanOut elements of W{k} in row-major order, then the fanOut elements of B{k}; each is
    /// <c>(float)((random.NextDouble() * 2 - 1) / Math.Sqrt(fanIn))</c>. <see cref="EvaluateMlp"/>
    /// computes the same function in C#.
    /// </para>
    /// </remarks>
    /// <param name="inputs">Features per row; 1 or more.</param>
    /// <param name="hidden">Width of each hidden layer; 1 or more.</param>
    /// <param name="outputs">Outputs per row; 1 or more.</param>
    /// <param name="layers">Number of hidden layers; 0 or more.</param>
    /// <param name="seed">The seed of the weights.</param>
    /// <returns>The model's bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public static byte[] Mlp(int inputs, int hidden, int outputs, int layers, int seed)
    {
        var weights = MlpWeights(inputs, hidden, outputs, layers, seed);
        var g = new OnnxGraphBuilder("mlp");
        g.Input("x", OnnxDataType.Float, "N", inputs);
        var h = "x";
        for (var k = 0; k < weights.Count; k++)
        {
            var (w, b, fanIn, fanOut) = weights[k];
            var last = k == weights.Count - 1;
            var wName = g.Initializer($"W{k}", w, fanIn, fanOut);
            var bName = g.Initializer($"B{k}", b, fanOut);
            g.Node("MatMul", [h, wName], [$"h{k}_matmul"], $"MatMul_{k}");
            g.Node("Add", [$"h{k}_matmul", bName], [last ? "y" : $"h{k}_add"], $"Add_{k}");
            if (!last)
            {
                g.Node("Relu", [$"h{k}_add"], [$"h{k}"], $"Relu_{k}");
                h = $"h{k}";
            }
        }

        g.Output("y", OnnxDataType.Float, "N", outputs);
        return g.ToBytes();
    }

    /// <summary>
    /// Computes what <see cref="Mlp"/> with the same arguments outputs for <paramref name="x"/>
    /// (in single precision; a runtime may differ in the last bits).
    /// </summary>
    /// <param name="inputs">As for <see cref="Mlp"/>.</param>
    /// <param name="hidden">As for <see cref="Mlp"/>.</param>
    /// <param name="outputs">As for <see cref="Mlp"/>.</param>
    /// <param name="layers">As for <see cref="Mlp"/>.</param>
    /// <param name="seed">As for <see cref="Mlp"/>.</param>
    /// <param name="x">The input, row-major [N, <paramref name="inputs"/>].</param>
    /// <returns>The output, row-major [N, <paramref name="outputs"/>].</returns>
    /// <exception cref="ArgumentException">The length of <paramref name="x"/> is not a multiple of <paramref name="inputs"/>.</exception>
    public static float[] EvaluateMlp(int inputs, int hidden, int outputs, int layers, int seed, ReadOnlySpan<float> x)
    {
        var weights = MlpWeights(inputs, hidden, outputs, layers, seed);
        if (x.Length % inputs != 0)
        {
            throw new ArgumentException($"The input has {x.Length} values, which is not a multiple of {inputs} features.", nameof(x));
        }

        var rows = x.Length / inputs;
        var h = x.ToArray();
        for (var k = 0; k < weights.Count; k++)
        {
            var (w, b, fanIn, fanOut) = weights[k];
            var next = new float[rows * fanOut];
            for (var r = 0; r < rows; r++)
            {
                for (var j = 0; j < fanOut; j++)
                {
                    var sum = 0f;
                    for (var i = 0; i < fanIn; i++)
                    {
                        sum += h[(r * fanIn) + i] * w[(i * fanOut) + j];
                    }

                    sum += b[j];
                    next[(r * fanOut) + j] = k < weights.Count - 1 ? Math.Max(sum, 0f) : sum;
                }
            }

            h = next;
        }

        return h;
    }

    /// <summary>
    /// A tiny classifier: input <c>"x"</c> FLOAT [N, 4]; outputs <c>"scores"</c> FLOAT [N, 3] =
    /// MatMul(x, W) and <c>"label"</c> INT64 [N] = ArgMax(scores, axis = 1, keepdims = 0), the first
    /// index on ties. Graph name <c>"scale_and_label"</c>; the initializer is <c>"W"</c>.
    /// </summary>
    /// <remarks>
    /// W (4 × 3, see <see cref="ScaleAndLabelWeights"/>) is
    /// <c>[[2,0,0],[0,3,0],[0,0,4],[1,1,1]]</c>, so for a row (x0, x1, x2, x3) the scores are
    /// (2·x0 + x3, 3·x1 + x3, 4·x2 + x3). For example x = (1, 1, 1, 0) gives scores (2, 3, 4) and
    /// label 2; x = (0, 0, 0, 5) gives (5, 5, 5) and label 0.
    /// </remarks>
    /// <returns>The model's bytes.</returns>
    public static byte[] ScaleAndLabel()
    {
        var g = new OnnxGraphBuilder("scale_and_label");
        g.Input("x", OnnxDataType.Float, "N", 4);
        var w = g.Initializer("W", _scaleAndLabelWeights, 4, 3);
        g.Node("MatMul", ["x", w], ["scores"], "MatMul_0");
        g.Node("ArgMax", ["scores"], ["label"], "ArgMax_1").Attr("axis", 1).Attr("keepdims", 0);
        g.Output("scores", OnnxDataType.Float, "N", 3);
        g.Output("label", OnnxDataType.Int64, "N");
        return g.ToBytes();
    }

    /// <summary>The 4 × 3 matrix W of <see cref="ScaleAndLabel"/>, row-major (a new copy each call).</summary>
    /// <returns>The 12 weights.</returns>
    public static float[] ScaleAndLabelWeights() => (float[])_scaleAndLabelWeights.Clone();

    /// <summary>Computes what <see cref="ScaleAndLabel"/> outputs for <paramref name="x"/>.</summary>
    /// <param name="x">The input, row-major [N, 4].</param>
    /// <returns>The scores, row-major [N, 3], and the labels [N].</returns>
    /// <exception cref="ArgumentException">The length of <paramref name="x"/> is not a multiple of 4.</exception>
    public static (float[] Scores, long[] Labels) EvaluateScaleAndLabel(ReadOnlySpan<float> x)
    {
        if (x.Length % 4 != 0)
        {
            throw new ArgumentException($"The input has {x.Length} values, which is not a multiple of 4 features.", nameof(x));
        }

        var rows = x.Length / 4;
        var scores = new float[rows * 3];
        var labels = new long[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < 3; j++)
            {
                var sum = 0f;
                for (var i = 0; i < 4; i++)
                {
                    sum += x[(r * 4) + i] * _scaleAndLabelWeights[(i * 3) + j];
                }

                scores[(r * 3) + j] = sum;
                if (j > 0 && sum > scores[(r * 3) + labels[r]])
                {
                    labels[r] = j;
                }
            }
        }

        return (scores, labels);
    }

    private static List<(float[] W, float[] B, int FanIn, int FanOut)> MlpWeights(int inputs, int hidden, int outputs, int layers, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        ArgumentOutOfRangeException.ThrowIfNegative(layers);

        var random = new Random(seed);
        var result = new List<(float[], float[], int, int)>(layers + 1);
        for (var k = 0; k <= layers; k++)
        {
            var fanIn = k == 0 ? inputs : hidden;
            var fanOut = k == layers ? outputs : hidden;
            var scale = Math.Sqrt(fanIn);
            var w = new float[checked(fanIn * fanOut)];
            for (var i = 0; i < w.Length; i++)
            {
                w[i] = (float)(((random.NextDouble() * 2) - 1) / scale);
            }

            var b = new float[fanOut];
            for (var j = 0; j < b.Length; j++)
            {
                b[j] = (float)(((random.NextDouble() * 2) - 1) / scale);
            }

            result.Add((w, b, fanIn, fanOut));
        }

        return result;
    }
}
