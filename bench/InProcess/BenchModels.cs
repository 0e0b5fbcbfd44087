using Modelhost.Onnx;
using Modelhost.Testing;

namespace Modelhost.Bench.InProcess;

/// <summary>The models the bench serves, all generated with Modelhost.Onnx: nothing is downloaded.</summary>
internal static class BenchModels
{
    /// <summary>Features per row of the MLP.</summary>
    public const int MlpInputs = 512;

    /// <summary>Elements of the large input: 262144 FP32 values, 1 MiB.</summary>
    public const int LargeElements = 262_144;

    /// <summary>The dynamic-batching model: MLP 512 → 2048 → 2048 → 512, FP32, batch dimension "N".</summary>
    public static byte[] Mlp() => OnnxModels.Mlp(MlpInputs, 2048, 512, layers: 2, seed: 1);

    /// <summary>
    /// The binary-tensor model: <c>y[N] = ReduceSum(x[N, 262144], axis 1)</c>. It reads the whole input and answers
    /// one number per row, so the request's encoding is all that differs between JSON and binary.
    /// </summary>
    public static byte[] Sum()
    {
        var g = new OnnxGraphBuilder("sum");
        g.Input("x", OnnxDataType.Float, "N", LargeElements);
        var axes = g.Initializer("axes", [1L], 1);
        g.Node("ReduceSum", ["x", axes], ["y"], "ReduceSum_0").Attr("keepdims", 0);
        g.Output("y", OnnxDataType.Float, "N");
        return g.ToBytes();
    }

    /// <summary>Identity on [N, 262144] FP32: the round trip, where the response is as large as the request.</summary>
    public static byte[] Identity() => OnnxModels.Identity(OnnxDataType.Float, "N", LargeElements);
}
