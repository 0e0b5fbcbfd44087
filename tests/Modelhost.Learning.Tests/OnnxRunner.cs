using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;
using Modelhost.Learning.Data;

namespace Modelhost.Learning.Tests;

/// <summary>Runs an exported model in the real ONNX Runtime over every row of a dataset, in one batch.</summary>
internal static class OnnxRunner
{
    public static (long[] Labels, float[] Probabilities) Classify(byte[] model, TabularDataset data)
    {
        using IEngineSession session = OnnxRuntimeEngine.Instance.CreateSession(model, new EngineSessionOptions { IntraOpThreads = 1 });
        EngineValue[] outputs = Run(session, data, ["label", "probabilities"]);
        try
        {
            Assert.Equal([(long)data.RowCount], outputs[0].Shape);
            Assert.Equal([(long)data.RowCount, data.ClassCount], outputs[1].Shape);
            return (outputs[0].GetTensorData<long>().ToArray(), outputs[1].GetTensorData<float>().ToArray());
        }
        finally
        {
            Dispose(outputs);
        }
    }

    public static float[] Regress(byte[] model, TabularDataset data)
    {
        using IEngineSession session = OnnxRuntimeEngine.Instance.CreateSession(model, new EngineSessionOptions { IntraOpThreads = 1 });
        EngineValue[] outputs = Run(session, data, ["variable"]);
        try
        {
            Assert.Equal([(long)data.RowCount, 1L], outputs[0].Shape);
            return outputs[0].GetTensorData<float>().ToArray();
        }
        finally
        {
            Dispose(outputs);
        }
    }

    public static float[] ToFloat(TabularDataset data) => data.Features.ToArray().Select(v => (float)v).ToArray();

    private static EngineValue[] Run(IEngineSession session, TabularDataset data, string[] outputNames)
    {
        float[] input = ToFloat(data);
        using EngineValue tensor = OnnxRuntimeEngine.Instance.CreateTensor<float>(input, [data.RowCount, data.FeatureCount]);
        return session.Run(["input"], [tensor], outputNames);
    }

    private static void Dispose(EngineValue[] values)
    {
        foreach (EngineValue value in values)
        {
            value.Dispose();
        }
    }
}
