using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;
using Modelhost.Core.Engine.Trees;
using Modelhost.Core.Tests.Engine;
using Modelhost.Onnx;

namespace Modelhost.Core.Tests.Trees;

public sealed class TreeEnsembleOpset5Tests
{
    [Theory]
    [MemberData(nameof(TreeEnsembleEquivalenceTests.Seeds), MemberType = typeof(TreeEnsembleEquivalenceTests))]
    public void A_random_opset_5_ensemble_with_membership_nodes_gives_what_onnx_runtime_gives_bit_for_bit(int seed)
    {
        var random = new Random(1000 + seed);
        var spec = new RandomTreeEnsemble
        {
            Opset5 = true,
            Members = random.Next(4) != 0,
            Seed = seed,
            Targets = random.Next(1, 4),
            Trees = TreeEnsembleEquivalenceTests.TreeCounts[random.Next(TreeEnsembleEquivalenceTests.TreeCounts.Length)],
            Depth = random.Next(1, 7),
            Features = random.Next(1, 8),
            Mode = random.Next(3) == 0 ? null : TreeEnsembleEquivalenceTests.Modes[random.Next(TreeEnsembleEquivalenceTests.Modes.Length)],
            MissingTracks = random.Next(3) == 0,
            Aggregate = TreeEnsembleEquivalenceTests.Aggregates[random.Next(TreeEnsembleEquivalenceTests.Aggregates.Length)],
            PostTransform = TreeEnsembleEquivalenceTests.Transforms[random.Next(TreeEnsembleEquivalenceTests.Transforms.Length)],
            Grid = random.Next(2, 20),
        };
        var model = spec.ToBytes();
        foreach (var parallelism in new[] { 1, 2, 3 })
        {
            foreach (var rows in new[] { 1, 3, 51, 130 })
            {
                var x = spec.Rows(rows, (seed * 31) + rows);
                var problem = EngineComparison.Compare(model, x, rows, spec.Features, parallelism, asDouble: false);
                Assert.True(problem is null, $"{spec} with {rows} rows at parallelism {parallelism}: {problem}");
            }
        }
    }

    [Fact]
    public void A_membership_node_sends_its_members_the_true_way_and_everything_else_including_nan_the_false_way()
    {
        // One tree: x0 in {1, 3} → leaf 10, else → leaf 20.
        var g = new OnnxGraphBuilder("member");
        g.UseOpset("ai.onnx.ml", 5);
        g.Input("input", OnnxDataType.Float, "N", 1);
        g.Node("TreeEnsemble", ["input"], ["y"], "ensemble", "ai.onnx.ml")
            .Attr("n_targets", 1L)
            .Attr("tree_roots", [0L])
            .Attr("nodes_featureids", [0L])
            .AttrTensor("nodes_modes", [(byte)6], 1)
            .AttrTensor("nodes_splits", [0f], 1)
            .AttrTensor("membership_values", [1f, 3f, float.NaN], 3)
            .Attr("nodes_truenodeids", [0L])
            .Attr("nodes_falsenodeids", [1L])
            .Attr("nodes_trueleafs", [1L])
            .Attr("nodes_falseleafs", [1L])
            .Attr("leaf_targetids", [0L, 0L])
            .AttrTensor("leaf_weights", [10f, 20f], 2);
        g.Output("y", OnnxDataType.Float, "N", 1);
        var model = g.ToBytes();
        using var session = TreeEnsembleEngine.Instance.CreateSession(model, new EngineSessionOptions { IntraOpThreads = 1 });
        using var input = TreeEnsembleEngine.Instance.CreateTensor<float>(new[] { 1f, 2f, 3f, float.NaN, -1f }, [5, 1]);
        var outputs = session.Run(["input"], [input], ["y"]);
        Assert.Equal([10f, 20f, 10f, 20f, 20f], outputs[0].GetTensorData<float>().ToArray());
        outputs[0].Dispose();
        Assert.Null(EngineComparison.Compare(model, [1f, 2f, 3f, float.NaN, -1f], 5, 1, parallelism: 1, asDouble: false));
    }

    [Fact]
    public void An_opset_5_ensemble_over_double_input_is_left_to_onnx_runtime_which_answers_in_double()
    {
        var spec = new RandomTreeEnsemble { Opset5 = true, Members = true, Seed = 4, DoubleInput = true, Trees = 5 };
        var model = spec.ToBytes();
        var error = Assert.Throws<EngineException>(() => TreeEnsembleEngine.Instance.CreateSession(model, new EngineSessionOptions()));
        Assert.Equal(EngineErrorKind.InvalidModel, error.Kind);
        Assert.Contains("double", error.Message, StringComparison.Ordinal);
        using var ort = OnnxRuntimeEngine.Instance.CreateSession(model, new EngineSessionOptions { IntraOpThreads = 1 });
        Assert.Equal(Tensors.TensorElementType.Double, ort.Outputs[0].ElementType);
    }

    [Fact]
    public void Small_trees_with_one_monotone_test_are_evaluated_quickscorer_style_and_deep_or_mixed_ones_are_walked()
    {
        var options = new EngineSessionOptions { IntraOpThreads = 1 };
        using var seed = (TreeEnsembleSession)TreeEnsembleEngine.Instance.CreateSession(IrisFixture.ModelBytes, options);
        Assert.True(seed.UsesQuickScorer);
        using var deep = (TreeEnsembleSession)TreeEnsembleEngine.Instance.CreateSession(new RandomTreeEnsemble { Depth = 7, Full = true }.ToBytes(), options);
        Assert.False(deep.UsesQuickScorer);
        using var mixed = (TreeEnsembleSession)TreeEnsembleEngine.Instance.CreateSession(new RandomTreeEnsemble { Mode = null }.ToBytes(), options);
        Assert.False(mixed.UsesQuickScorer);
    }
}
