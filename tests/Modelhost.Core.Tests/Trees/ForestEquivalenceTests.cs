using Modelhost.Core.Engine;
using Modelhost.Core.Engine.Trees;
using Modelhost.Core.Tests.Engine;

namespace Modelhost.Core.Tests.Trees;

public sealed class ForestEquivalenceTests
{
    private static readonly byte[] _modelhostForest = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "modelhost-iris", "model.onnx"));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void The_seeds_scikit_learn_forest_gives_what_onnx_runtime_gives_row_by_row_and_in_one_batch(int parallelism)
    {
        var rows = IrisFixture.Expected.X;
        var all = rows.SelectMany(r => r).ToArray();
        Assert.Null(EngineComparison.Compare(IrisFixture.ModelBytes, all, rows.Length, 4, parallelism, asDouble: false));
        for (var i = 0; i < rows.Length; i += 7)
        {
            Assert.Null(EngineComparison.Compare(IrisFixture.ModelBytes, rows[i], 1, 4, parallelism, asDouble: false));
        }
    }

    [Fact]
    public void The_seeds_forest_on_the_tree_engine_reproduces_scikit_learns_labels()
    {
        using var session = TreeEnsembleEngine.Instance.CreateSession(IrisFixture.ModelBytes, new EngineSessionOptions { IntraOpThreads = 1 });
        var rows = IrisFixture.Expected.X;
        using var input = TreeEnsembleEngine.Instance.CreateTensor<float>(rows.SelectMany(r => r).ToArray(), [rows.Length, 4]);
        var outputs = session.Run([session.Inputs[0].Name], [input], [session.Outputs[0].Name]);
        Assert.Equal(IrisFixture.Expected.Labels, outputs[0].GetTensorData<long>().ToArray());
        outputs[0].Dispose();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Modelhosts_own_forest_gives_what_onnx_runtime_gives_with_nan_and_out_of_range_inputs(int parallelism)
    {
        var spec = new RandomTreeEnsemble { Features = 4, Grid = 32 };
        foreach (var count in new[] { 1, 2, 64, 200 })
        {
            var rows = spec.Rows(count, count);
            rows[0] = float.NaN;
            rows[^1] = float.PositiveInfinity;
            Assert.Null(EngineComparison.Compare(_modelhostForest, rows, count, 4, parallelism, asDouble: false));
        }
    }
}
