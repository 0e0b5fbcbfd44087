using Modelhost.Core.Engine;
using Modelhost.Core.Engine.Trees;

namespace Modelhost.Core.Tests.Trees;

public sealed class TreeEnsembleEquivalenceTests
{
    internal static readonly string[] Aggregates = ["SUM", "AVERAGE", "MIN", "MAX"];
    internal static readonly string[] Transforms = ["NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"];
    internal static readonly string[] Modes = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"];
    internal static readonly int[] TreeCounts = [1, 3, 10, 81, 120];

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 0; seed < 80; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_random_ensemble_gives_what_onnx_runtime_gives_bit_for_bit(int seed)
    {
        var spec = Generate(seed);
        var model = spec.ToBytes();
        foreach (var parallelism in new[] { 1, 2, 3 })
        {
            foreach (var rows in new[] { 1, 3, 51, 130 })
            {
                var x = spec.Rows(rows, seed * 31 + rows);
                var problem = EngineComparison.Compare(model, x, rows, spec.Features, parallelism, spec.DoubleInput);
                Assert.True(problem is null, $"{spec} with {rows} rows at parallelism {parallelism}: {problem}");
            }
        }
    }

    [Theory]
    [InlineData("SUM")]
    [InlineData("AVERAGE")]
    [InlineData("MIN")]
    [InlineData("MAX")]
    public void Every_aggregate_of_a_multi_target_regressor_with_base_values_matches(string aggregate)
    {
        var spec = new RandomTreeEnsemble { Seed = 7, Targets = 3, Trees = 90, Depth = 5, Aggregate = aggregate, BaseValues = true, SparseWeights = true, Mode = null, MissingTracks = true };
        var model = spec.ToBytes();
        foreach (var rows in new[] { 1, 64, 200 })
        {
            Assert.Null(EngineComparison.Compare(model, spec.Rows(rows, rows), rows, spec.Features, parallelism: 2, asDouble: false));
        }
    }

    [Fact]
    public void A_model_that_is_not_a_tree_ensemble_is_refused_with_the_reason()
    {
        var error = Assert.Throws<EngineException>(() => TreeEnsembleEngine.Instance.CreateSession(OnnxModels.Identity(Modelhost.Onnx.OnnxDataType.Float, "N", 4), new EngineSessionOptions()));
        Assert.Equal(EngineErrorKind.InvalidModel, error.Kind);
        Assert.Contains("no TreeEnsembleClassifier or TreeEnsembleRegressor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_few_input_columns_are_the_callers_error()
    {
        var spec = new RandomTreeEnsemble { Seed = 3, Features = 6, Depth = 6, Full = true };
        using var session = TreeEnsembleEngine.Instance.CreateSession(spec.ToBytes(), new EngineSessionOptions());
        using var input = TreeEnsembleEngine.Instance.CreateTensor<float>(new float[2], [1, 2]);
        var error = Assert.Throws<EngineException>(() => session.Run(["input"], [input], ["probabilities"]));
        Assert.Equal(EngineErrorKind.InvalidArgument, error.Kind);
    }

    private static RandomTreeEnsemble Generate(int seed)
    {
        var random = new Random(seed);
        var classifier = random.Next(2) == 0;
        var targets = classifier ? random.Next(2, 6) : random.Next(1, 4);
        var binary = classifier && targets == 2;
        var transform = Transforms[random.Next(Transforms.Length)];
        if (binary && transform == "PROBIT")
        {
            transform = "LOGISTIC";
        }

        return new RandomTreeEnsemble
        {
            Seed = seed,
            Classifier = classifier,
            Targets = targets,
            Trees = TreeCounts[random.Next(TreeCounts.Length)],
            Depth = random.Next(1, 7),
            Features = random.Next(1, 8),
            Mode = random.Next(3) == 0 ? null : Modes[random.Next(Modes.Length)],
            MissingTracks = random.Next(3) == 0,
            Aggregate = Aggregates[random.Next(Aggregates.Length)],
            PostTransform = transform,
            BaseValues = !binary && random.Next(2) == 0,
            StringLabels = classifier && random.Next(2) == 0,
            DoubleInput = random.Next(4) == 0,
            SparseWeights = random.Next(2) == 0,
            Grid = random.Next(2, 20),
        };
    }
}
