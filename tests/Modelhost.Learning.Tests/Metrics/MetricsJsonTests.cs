using System.Text.Json;
using Modelhost.Learning.Metrics;

namespace Modelhost.Learning.Tests.Metrics;

public sealed class MetricsJsonTests
{
    [Fact]
    public void Classification_metrics_json_has_accuracy_macro_f1_confusion_matrix_class_labels_and_test_rows()
    {
        ClassificationReport report = ClassificationReport.Compute([0, 1, 1], [0, 1, 0], ["cat", "dog"]);

        using JsonDocument json = JsonDocument.Parse(report.ToJson());
        JsonElement root = json.RootElement;

        Assert.Equal(["accuracy", "macro_f1", "confusion_matrix", "class_labels", "test_rows"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2.0 / 3, root.GetProperty("accuracy").GetDouble());
        Assert.Equal(report.MacroF1, root.GetProperty("macro_f1").GetDouble());
        Assert.Equal([[1, 0], [1, 1]], root.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()));
        Assert.Equal(["cat", "dog"], root.GetProperty("class_labels").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(3, root.GetProperty("test_rows").GetInt32());
    }

    [Fact]
    public void Regression_metrics_json_has_rmse_mae_r2_and_test_rows()
    {
        RegressionReport report = RegressionReport.Compute([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]);

        using JsonDocument json = JsonDocument.Parse(report.ToJson());
        JsonElement root = json.RootElement;

        Assert.Equal(["rmse", "mae", "r2", "test_rows"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(report.Rmse, root.GetProperty("rmse").GetDouble());
        Assert.Equal(0.5, root.GetProperty("mae").GetDouble());
        Assert.Equal(report.R2, root.GetProperty("r2").GetDouble());
        Assert.Equal(4, root.GetProperty("test_rows").GetInt32());
    }

    [Fact]
    public async Task Saving_writes_the_same_json_to_a_file()
    {
        ClassificationReport report = ClassificationReport.Compute([0, 1], [0, 1], ["a+b", "<c>"]);
        string path = Path.Combine(Path.GetTempPath(), $"metrics-{Guid.NewGuid():N}.json");
        try
        {
            await report.SaveAsync(path);

            string text = await File.ReadAllTextAsync(path);
            Assert.Equal(report.ToJson(), text);
            Assert.Contains("\"a+b\"", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
