using System.Globalization;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.Trees;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Tests.Trees;

/// <summary>
/// The native tree engine reads its arrays with unchecked indexing once a model's layout is validated, so a model file
/// that passes validation must be safe to run. Thousands of tree-ensemble models with bytes changed (node ids,
/// features, modes, weights, counts, all as protobuf varints and floats) must each be refused with an
/// <see cref="EngineException"/> or load and run on rows with NaN and extreme values, answering or refusing the same way.
/// </summary>
public sealed class MutatedTreeEnsembleTests
{
    private static readonly int Cases =
        int.TryParse(Environment.GetEnvironmentVariable("MODELHOST_MUTATION_CASES"), CultureInfo.InvariantCulture, out var cases) ? cases * 5 : 1500;

    [Fact]
    public void Mutated_tree_ensemble_models_are_refused_or_run_without_faults()
    {
        var specs = new[]
        {
            new RandomTreeEnsemble { Seed = 1, Classifier = true, Targets = 3, Trees = 3, Depth = 3, Features = 4, Mode = null, MissingTracks = true },
            new RandomTreeEnsemble { Seed = 2, Targets = 2, Trees = 3, Depth = 3, Features = 4, Aggregate = "AVERAGE", BaseValues = true },
            new RandomTreeEnsemble { Seed = 3, Classifier = true, Targets = 2, Trees = 2, Depth = 3, Features = 3, StringLabels = true, PostTransform = "LOGISTIC" },
            new RandomTreeEnsemble { Seed = 4, Trees = 3, Depth = 3, Features = 4, Opset5 = true },
        };
        var models = specs.Select(s => s.ToBytes()).ToArray();
        var mutator = new RequestMutator(900);
        var ran = 0;
        for (var i = 0; i < Cases; i++)
        {
            var which = mutator.Next(specs.Length);
            var model = mutator.MutateBytes(models[which], 1 + mutator.Next(3));
            try
            {
                using var session = TreeEnsembleEngine.Instance.CreateSession(model, new EngineSessionOptions());
                var input = session.Inputs[0];
                var columns = input.Shape.Length > 1 && input.Shape[^1] > 0 ? (int)Math.Min(input.Shape[^1], 64) : specs[which].Features;
                var rows = new float[3 * columns];
                for (var k = 0; k < rows.Length; k++)
                {
                    rows[k] = mutator.Pick([0f, 1f, -1f, float.NaN, float.MaxValue, float.NegativeInfinity, 0.5f]);
                }

                using var tensor = input.ElementType == TensorElementType.Double
                    ? TreeEnsembleEngine.Instance.CreateTensor<double>(Array.ConvertAll(rows, v => (double)v), [3, columns])
                    : TreeEnsembleEngine.Instance.CreateTensor<float>(rows, [3, columns]);
                var outputs = session.Run([input.Name], [tensor], session.Outputs.Select(o => o.Name).ToArray());
                foreach (var output in outputs)
                {
                    output.Dispose();
                }

                ran++;
            }
            catch (EngineException)
            {
            }
            catch (Exception ex)
            {
                Assert.Fail($"case {i} (spec {which}): {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}\n{Convert.ToHexString(model)}");
            }
        }

        // Both outcomes: some mutations still make a model that loads (a weight or threshold changed) and runs.
        Assert.InRange(ran, Cases / 50, Cases - (Cases / 50));
    }

    [Fact]
    public void Mutated_models_that_are_not_tree_ensembles_are_refused_by_the_tree_engine()
    {
        // With engine: auto every model is offered to the tree engine's reader first, whatever its graph holds.
        byte[][] models = [OnnxModels.Mlp(4, 8, 3, 2, 1), OnnxModels.Identity(Modelhost.Onnx.OnnxDataType.String, "N"), OnnxModels.ScaleAndLabel()];
        var mutator = new RequestMutator(901);
        for (var i = 0; i < Cases; i++)
        {
            var model = mutator.MutateBytes(mutator.Pick(models), 1 + mutator.Next(3));
            var error = Record.Exception(() => TreeEnsembleEngine.Instance.CreateSession(model, new EngineSessionOptions()).Dispose());
            Assert.True(error is EngineException, $"case {i}: {error?.GetType().Name ?? "loaded"}: {error?.Message}\n{Convert.ToHexString(model)}");
        }
    }
}
