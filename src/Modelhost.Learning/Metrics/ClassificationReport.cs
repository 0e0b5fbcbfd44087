using System.Collections.ObjectModel;
using System.Text.Json;
using Modelhost.Learning.Data;

namespace Modelhost.Learning.Metrics;

/// <summary>
/// A classifier's accuracy, macro-F1 and confusion matrix on a test set; its JSON is
/// <c>{accuracy, macro_f1, confusion_matrix, class_labels, test_rows}</c>.
/// </summary>
public sealed class ClassificationReport : MetricsReport
{
    private ClassificationReport(double accuracy, double macroF1, int[][] confusion, IReadOnlyList<string> classLabels, int testRows)
        : base(testRows)
    {
        Accuracy = accuracy;
        MacroF1 = macroF1;
        ConfusionMatrix = new ReadOnlyCollection<IReadOnlyList<int>>(confusion.Select(r => (IReadOnlyList<int>)Array.AsReadOnly(r)).ToArray());
        ClassLabels = classLabels;
    }

    /// <summary>The fraction of test rows classified correctly.</summary>
    public double Accuracy { get; }

    /// <summary>The macro-averaged F1 score (see <see cref="ClassificationScores.MacroF1(ReadOnlySpan{int}, ReadOnlySpan{int}, int)"/>).</summary>
    public double MacroF1 { get; }

    /// <summary>Counts by true class (row) and predicted class (column), indexed by class id.</summary>
    public IReadOnlyList<IReadOnlyList<int>> ConfusionMatrix { get; }

    /// <summary>The class labels, indexed by class id.</summary>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>Computes the report from true and predicted class ids.</summary>
    /// <param name="actual">The true class ids.</param>
    /// <param name="predicted">The predicted class ids, one per true id.</param>
    /// <param name="classLabels">The class labels, indexed by class id.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or an id is out of range.</exception>
    public static ClassificationReport Compute(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, IReadOnlyList<string> classLabels)
    {
        ArgumentNullException.ThrowIfNull(classLabels);
        int[][] confusion = ClassificationScores.ConfusionMatrix(actual, predicted, classLabels.Count);
        return new ClassificationReport(
            ClassificationScores.Accuracy(actual, predicted),
            ClassificationScores.MacroF1(confusion),
            confusion,
            new ReadOnlyCollection<string>(classLabels.ToArray()),
            actual.Length);
    }

    /// <summary>Predicts every row of a test set and scores the predictions.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="test">A classification dataset with the model's features and classes.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The test set's features or classes are not the model's.</exception>
    public static ClassificationReport Evaluate(ITabularClassifier model, TabularDataset test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        if (!model.ClassLabels.SequenceEqual(test.ClassLabels, StringComparer.Ordinal))
        {
            throw new ArgumentException("The test set's class labels are not the model's.", nameof(test));
        }

        return Compute(test.ClassIds.Span, model.PredictClasses(test), model.ClassLabels);
    }

    private protected override void WriteProperties(Utf8JsonWriter writer)
    {
        writer.WriteNumber("accuracy", Accuracy);
        writer.WriteNumber("macro_f1", MacroF1);
        writer.WriteStartArray("confusion_matrix");
        foreach (IReadOnlyList<int> row in ConfusionMatrix)
        {
            writer.WriteStartArray();
            foreach (int count in row)
            {
                writer.WriteNumberValue(count);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("class_labels");
        foreach (string label in ClassLabels)
        {
            writer.WriteStringValue(label);
        }

        writer.WriteEndArray();
    }
}
