using Modelhost.Learning.Data;
using Modelhost.OnnxRuntime;

namespace Modelhost.Learning.Tests;

/// <summary>Runs an exported model in the real ONNX Runtime over every row of a dataset, in one batch.</summary>
internal static class OnnxRunner
{
    public static (long[] Labels, float[] Probabilities) Classify(byte[] model, TabularDataset data)
    {
        using InferenceSession session = InferenceSession.Create(model, new SessionOptions { IntraOpThreads = 1 });
        OrtValue[] outputs = Run(session, data, ["label", "probabilities"]);
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
        using InferenceSession session = InferenceSession.Create(model, new SessionOptions { IntraOpThreads = 1 });
        OrtValue[] outputs = Run(session, data, ["variable"]);
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

    private static OrtValue[] Run(InferenceSession session, TabularDataset data, string[] outputNames)
    {
        float[] input = ToFloat(data);
        using OrtValue tensor = OrtValue.CreateTensor<float>(input, [data.RowCount, data.FeatureCount]);
        return session.Run(["input"], [tensor], outputNames);
    }

    private static void Dispose(OrtValue[] values)
    {
        foreach (OrtValue value in values)
        {
            value.Dispose();
        }
    }
}
