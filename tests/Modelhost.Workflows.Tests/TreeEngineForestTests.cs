using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;
using Modelhost.Core.Engine.Trees;
using Modelhost.Learning.Data;
using Modelhost.Learning.Trees;

namespace Modelhost.Workflows.Tests;

public sealed class TreeEngineForestTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Modelhosts_own_random_forest_regressor_gives_the_same_bits_on_both_engines(int parallelism)
    {
        var csv = Path.Combine(Path.GetTempPath(), $"trees-{Guid.NewGuid():N}.csv");
        try
        {
            WriteRegressionCsv(csv, rows: 300);
            var data = TabularDataset.LoadCsv(csv, "y", TargetKind.Regression);
            var model = RandomForestRegressor.Train(data, new RandomForestOptions { Trees = 120, Seed = 5 }).ExportOnnx();
            var options = new EngineSessionOptions { IntraOpThreads = parallelism };
            using var ort = OnnxRuntimeEngine.Instance.CreateSession(model, options);
            using var trees = TreeEngineSession(model, options);
            var random = new Random(9);
            foreach (var rows in new[] { 1, 64, 130 })
            {
                var x = new float[rows * 6];
                for (var i = 0; i < x.Length; i++)
                {
                    x[i] = i % 17 == 0 ? float.NaN : (float)((random.NextDouble() * 4) - 2);
                }

                Assert.Equal(Run(OnnxRuntimeEngine.Instance, ort, x, rows), Run(TreeEnsembleEngine.Instance, trees, x, rows));
            }
        }
        finally
        {
            File.Delete(csv);
        }
    }

    private static void WriteRegressionCsv(string path, int rows)
    {
        var random = new Random(42);
        using var writer = new StreamWriter(path);
        writer.WriteLine("x0,x1,x2,x3,x4,x5,y");
        for (var r = 0; r < rows; r++)
        {
            var x = new double[6];
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = Math.Round((random.NextDouble() * 4) - 2, 3);
            }

            var y = (3 * x[0]) - (2 * x[1] * x[2]) + Math.Sin(x[3]) + (random.NextDouble() * 0.1);
            writer.WriteLine(string.Join(',', x.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "," + y.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static IEngineSession TreeEngineSession(byte[] model, EngineSessionOptions options) =>
        TreeEnsembleEngine.Instance.CreateSession(model, options);

    private static int[] Run(IInferenceEngine engine, IEngineSession session, float[] x, int rows)
    {
        using var input = engine.CreateTensor<float>(x, [rows, 6]);
        var outputs = session.Run([session.Inputs[0].Name], [input], [session.Outputs[0].Name]);
        using var output = outputs[0];
        return output.GetTensorData<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
