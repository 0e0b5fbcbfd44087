using Modelhost.Learning.Linear;
using Modelhost.Learning.Metrics;

namespace Modelhost.Learning.Tests.Metrics;

public sealed class ClassificationMetricsTests
{
    private static readonly int[] Actual = [0, 0, 1, 1, 2, 2];
    private static readonly int[] Predicted = [0, 1, 1, 1, 2, 0];

    [Fact]
    public void Accuracy_is_the_fraction_of_matching_ids()
    {
        Assert.Equal(4.0 / 6, ClassificationScores.Accuracy(Actual, Predicted));
        Assert.Equal(1.0, ClassificationScores.Accuracy([2, 1], [2, 1]));
    }

    [Fact]
    public void The_confusion_matrix_counts_true_classes_by_row_and_predictions_by_column()
    {
        int[][] matrix = ClassificationScores.ConfusionMatrix(Actual, Predicted, 3);

        Assert.Equal([1, 1, 0], matrix[0]);
        Assert.Equal([0, 2, 0], matrix[1]);
        Assert.Equal([1, 0, 1], matrix[2]);
    }

    [Fact]
    public void Macro_f1_averages_the_per_class_f1_scores()
    {
        // Per class F1 = 2TP / (2TP + FP + FN): 2/4, 4/5 and 2/3.
        double expected = (0.5 + 0.8 + (2.0 / 3)) / 3;

        Assert.Equal(expected, ClassificationScores.MacroF1(Actual, Predicted, 3), 1e-12);
    }

    [Fact]
    public void Macro_f1_skips_classes_that_are_neither_true_nor_predicted_and_scores_never_hit_classes_zero()
    {
        // Class 3 never appears; class 2 is true once but never predicted: F1s are 2/3, 4/5 and 0.
        int[] actual = [0, 1, 1, 2];
        int[] predicted = [0, 1, 1, 0];

        Assert.Equal(((2.0 / 3) + 1 + 0) / 3, ClassificationScores.MacroF1(actual, predicted, 4), 1e-12);
    }

    [Fact]
    public void Mismatched_or_empty_inputs_and_out_of_range_ids_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ClassificationScores.Accuracy([0, 1], [0]));
        Assert.Throws<ArgumentException>(() => ClassificationScores.Accuracy([], []));
        Assert.Throws<ArgumentException>(() => ClassificationScores.ConfusionMatrix([0, 3], [0, 1], 3));
    }

    [Fact]
    public void A_report_bundles_the_metrics_with_the_labels_and_row_count()
    {
        ClassificationReport report = ClassificationReport.Compute(Actual, Predicted, ["a", "b", "c"]);

        Assert.Equal(4.0 / 6, report.Accuracy);
        Assert.Equal(6, report.TestRows);
        Assert.Equal(["a", "b", "c"], report.ClassLabels);
        Assert.Equal([1, 0, 1], report.ConfusionMatrix[2]);
    }

    [Fact]
    public void Evaluating_a_model_on_a_dataset_with_other_classes_is_rejected()
    {
        var model = LogisticRegression.Train(TabularFixtures.Iris());

        Assert.Throws<ArgumentException>(() => ClassificationReport.Evaluate(model, TabularFixtures.Wine()));
    }
}
