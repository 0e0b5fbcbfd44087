using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;
using Modelhost.Core.Engine.Trees;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Tests.Trees;

/// <summary>Runs one model on ONNX Runtime and on the tree engine and compares every output element by element.</summary>
internal static class EngineComparison
{
    /// <summary>Returns null when every output is identical, else what differs first.</summary>
    public static string? Compare(byte[] model, float[] rows, int count, int features, int parallelism, bool asDouble)
    {
        var options = new EngineSessionOptions { IntraOpThreads = parallelism };
        using var ort = OnnxRuntimeEngine.Instance.CreateSession(model, options);
        using var trees = TreeEnsembleEngine.Instance.CreateSession(model, options);
        return Compare(ort, trees, rows, count, features, asDouble);
    }

    public static string? Compare(IEngineSession ort, IEngineSession trees, float[] rows, int count, int features, bool asDouble)
    {
        var names = ort.Outputs.Select(o => o.Name).ToArray();
        var inputName = ort.Inputs[0].Name;
        long[] shape = [count, features];
        using var ortInput = asDouble
            ? OnnxRuntimeEngine.Instance.CreateTensor<double>(Array.ConvertAll(rows, v => (double)v), shape)
            : OnnxRuntimeEngine.Instance.CreateTensor<float>(rows, shape);
        using var treesInput = asDouble
            ? TreeEnsembleEngine.Instance.CreateTensor<double>(Array.ConvertAll(rows, v => (double)v), shape)
            : TreeEnsembleEngine.Instance.CreateTensor<float>(rows, shape);
        var expected = ort.Run([inputName], [ortInput], names);
        var actual = trees.Run([inputName], [treesInput], names);
        try
        {
            for (var o = 0; o < names.Length; o++)
            {
                var e = expected[o];
                var a = actual[o];
                if (e.ElementType != a.ElementType || !e.Shape.SequenceEqual(a.Shape))
                {
                    return $"output {names[o]}: {e.ElementType} {TensorShape.Format(e.Shape)} expected, {a.ElementType} {TensorShape.Format(a.Shape)} given";
                }

                switch (e.ElementType)
                {
                    case TensorElementType.Float:
                        var ef = e.GetTensorData<float>();
                        var af = a.GetTensorData<float>();
                        for (var i = 0; i < ef.Length; i++)
                        {
                            if (BitConverter.SingleToInt32Bits(ef[i]) != BitConverter.SingleToInt32Bits(af[i]) && !(float.IsNaN(ef[i]) && float.IsNaN(af[i])))
                            {
                                return $"output {names[o]}[{i}] (row {i / (ef.Length / count)}): {ef[i]:R} expected, {af[i]:R} given";
                            }
                        }

                        break;
                    case TensorElementType.Int64:
                        var el = e.GetTensorData<long>();
                        var al = a.GetTensorData<long>();
                        for (var i = 0; i < el.Length; i++)
                        {
                            if (el[i] != al[i])
                            {
                                return $"output {names[o]}[{i}]: {el[i]} expected, {al[i]} given";
                            }
                        }

                        break;
                    default:
                        var es = e.GetStrings();
                        var @as = a.GetStrings();
                        for (var i = 0; i < es.Length; i++)
                        {
                            if (es[i] != @as[i])
                            {
                                return $"output {names[o]}[{i}]: {es[i]} expected, {@as[i]} given";
                            }
                        }

                        break;
                }
            }

            return null;
        }
        finally
        {
            foreach (var value in expected.Concat(actual))
            {
                value.Dispose();
            }
        }
    }
}
