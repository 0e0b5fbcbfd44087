using System.Text.Json;
using Modelhost.Learning.Data;
using Modelhost.Learning.Linear;

namespace Modelhost.Learning.Tests.Export;

public sealed class LinearExportTests
{
    [Theory]
    [InlineData("iris")]
    [InlineData("wine")]
    public void An_exported_logistic_regression_gives_the_same_labels_and_probabilities_in_onnx_runtime_on_every_row(string name)
    {
        TabularDataset data = name == "iris" ? TabularFixtures.Iris() : TabularFixtures.Wine();
        var model = LogisticRegression.Train(data.TrainTestSplit(0.3, seed: 2).Train);

        var (labels, probabilities) = OnnxRunner.Classify(model.ExportOnnx(), data);

        int classes = data.ClassCount;
        var expected = new double[classes];
        for (int i = 0; i < data.RowCount; i++)
        {
            Assert.Equal(model.Predict(data.GetRow(i), expected), labels[i]);
            for (int k = 0; k < classes; k++)
            {
                Assert.Equal(expected[k], probabilities[(i * classes) + k], 1e-5);
            }
        }
    }

    [Theory]
    [InlineData("wine-alcohol")]
    [InlineData("sine")]
    public void An_exported_linear_regression_gives_the_same_predictions_in_onnx_runtime_on_every_row(string name)
    {
        TabularDataset data = name == "sine" ? TabularFixtures.SineAndSquare(500, seed: 8) : TabularFixtures.WineAlcohol();
        var model = LinearRegression.Train(data);

        float[] predictions = OnnxRunner.Regress(model.ExportOnnx(), data);

        for (int i = 0; i < data.RowCount; i++)
        {
            double expected = model.Predict(data.GetRow(i));
            Assert.Equal(expected, predictions[i], 1e-5 * Math.Max(1, Math.Abs(expected)));
        }
    }

    [Fact]
    public void Exported_linear_models_name_features_and_classes_in_metadata()
    {
        var logistic = LogisticRegression.Train(TabularFixtures.Iris());
        var linear = LinearRegression.Train(TabularFixtures.WineAlcohol());

        OnnxModelSummary classifier = OnnxModelSummary.Read(logistic.ExportOnnx());
        OnnxModelSummary regressor = OnnxModelSummary.Read(linear.ExportOnnx());

        Assert.Equal(["label", "probabilities"], classifier.Outputs.Select(o => o.Name));
        Assert.Equal(["setosa", "versicolor", "virginica"], JsonSerializer.Deserialize<string[]>(classifier.Metadata["class_labels"])!);
        Assert.Equal("variable", Assert.Single(regressor.Outputs).Name);
        Assert.Equal(TabularFixtures.WineAlcohol().FeatureNames, JsonSerializer.Deserialize<string[]>(regressor.Metadata["features"]));
    }
}
