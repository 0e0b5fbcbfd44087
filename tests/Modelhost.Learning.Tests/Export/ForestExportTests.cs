using System.Text.Json;
using Modelhost.Learning.Data;
using Modelhost.Learning.Trees;

namespace Modelhost.Learning.Tests.Export;

[Trait("Category", "Slow")]
public sealed class ForestExportTests
{
    [Theory]
    [InlineData("iris", SplitCriterion.Gini)]
    [InlineData("wine", SplitCriterion.Gini)]
    [InlineData("wine", SplitCriterion.Entropy)]
    public void An_exported_forest_classifier_gives_the_same_labels_and_probabilities_in_onnx_runtime_on_every_row(
        string name, SplitCriterion criterion)
    {
        TabularDataset data = name == "iris" ? TabularFixtures.Iris() : TabularFixtures.Wine();
        var (train, _) = data.TrainTestSplit(0.3, seed: 7, stratify: true);
        var model = RandomForestClassifier.Train(train, new RandomForestOptions { Trees = 300, Seed = 11, Criterion = criterion });

        var (labels, probabilities) = OnnxRunner.Classify(model.ExportOnnx(), data);

        AssertSameAsModel(model, data, labels, probabilities);
    }

    [Fact]
    public void A_binary_forest_with_tied_votes_gives_the_same_labels_in_onnx_runtime()
    {
        // Two trees on noisy labels tie often; the first class must win a tie in both.
        TabularDataset iris = TabularFixtures.Iris();
        int[] isVersicolor = iris.ClassIds.ToArray().Select((c, i) => (c == 1) ^ (i % 7 == 0) ? 1 : 0).ToArray();
        TabularDataset binary = TabularDataset.CreateClassification(
            iris.Features.Span, iris.FeatureCount, isVersicolor, ["other", "versicolor"], iris.FeatureNames);
        var model = RandomForestClassifier.Train(binary, new RandomForestOptions { Trees = 2, Seed = 1, MaxDepth = 3 });

        var (labels, probabilities) = OnnxRunner.Classify(model.ExportOnnx(), binary);

        AssertSameAsModel(model, binary, labels, probabilities);
        Assert.Contains(Enumerable.Range(0, binary.RowCount), i => probabilities[2 * i] == probabilities[(2 * i) + 1]);
    }

    [Theory]
    [InlineData("sine")]
    [InlineData("wine-alcohol")]
    public void An_exported_forest_regressor_gives_the_same_predictions_in_onnx_runtime_on_every_row(string name)
    {
        TabularDataset data = name == "sine" ? TabularFixtures.SineAndSquare(1000, seed: 4) : TabularFixtures.WineAlcohol();
        var model = RandomForestRegressor.Train(data, new RandomForestOptions { Trees = 200, Seed = 5 });

        float[] predictions = OnnxRunner.Regress(model.ExportOnnx(), data);

        for (int i = 0; i < data.RowCount; i++)
        {
            double expected = model.Predict(data.GetRow(i));
            Assert.Equal(expected, predictions[i], 1e-5 * Math.Max(1, Math.Abs(expected)));
            Assert.Equal((float)expected, predictions[i]);
        }
    }

    [Fact]
    public void Trees_that_cannot_split_export_as_single_leaves_that_onnx_runtime_runs()
    {
        TabularDataset constant = TabularDataset.CreateClassification([1, 1, 1, 1, 1, 1], 2, [0, 1, 1], ["a", "b"]);
        var model = RandomForestClassifier.Train(constant, new RandomForestOptions { Trees = 5, Seed = 2 });

        var (labels, probabilities) = OnnxRunner.Classify(model.ExportOnnx(), constant);

        Assert.All(model.Trees, t => Assert.Equal(1, t.NodeCount));
        AssertSameAsModel(model, constant, labels, probabilities);
    }

    [Fact]
    public void The_exported_classifier_declares_its_signature_and_names_features_and_classes_in_metadata()
    {
        var model = RandomForestClassifier.Train(TabularFixtures.Wine(), new RandomForestOptions { Trees = 3 });

        OnnxModelSummary summary = OnnxModelSummary.Read(model.ExportOnnx());

        Assert.Equal(3, summary.Opsets["ai.onnx.ml"]);
        Assert.Equal("input", Assert.Single(summary.Inputs).Name);
        Assert.Equal(["label", "probabilities"], summary.Outputs.Select(o => o.Name));
        Assert.Equal(["0", "1", "2"], JsonSerializer.Deserialize<string[]>(summary.Metadata["class_labels"])!);
        Assert.Equal(TabularFixtures.Wine().FeatureNames, JsonSerializer.Deserialize<string[]>(summary.Metadata["features"]));
        Assert.Equal("cultivar", summary.Metadata["target"]);
    }

    [Fact]
    public void The_exported_regressor_outputs_variable_and_names_its_features()
    {
        var model = RandomForestRegressor.Train(TabularFixtures.SineAndSquare(50, 1), new RandomForestOptions { Trees = 2 });

        OnnxModelSummary summary = OnnxModelSummary.Read(model.ExportOnnx());

        Assert.Equal("variable", Assert.Single(summary.Outputs).Name);
        Assert.Equal(["x0", "x1", "unused"], JsonSerializer.Deserialize<string[]>(summary.Metadata["features"])!);
        Assert.False(summary.Metadata.ContainsKey("class_labels"));
    }

    private static void AssertSameAsModel(RandomForestClassifier model, TabularDataset data, long[] labels, float[] probabilities)
    {
        int classes = data.ClassCount;
        var expected = new double[classes];
        for (int i = 0; i < data.RowCount; i++)
        {
            int label = model.Predict(data.GetRow(i), expected);
            Assert.Equal(label, labels[i]);
            for (int k = 0; k < classes; k++)
            {
                float actual = probabilities[(i * classes) + k];
                Assert.Equal(expected[k], actual, 1e-5);

                // Same float weights summed in the same order: bit-for-bit equal, not merely close.
                Assert.Equal((float)expected[k], actual);
            }
        }
    }
}
