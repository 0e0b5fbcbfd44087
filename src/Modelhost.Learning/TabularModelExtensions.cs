using Modelhost.Learning.Data;

namespace Modelhost.Learning;

/// <summary>Predictions for every row of a dataset.</summary>
internal static class TabularModelExtensions
{
    /// <summary>Predicts the class of every row.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="data">Rows with the model's features, in the same order.</param>
    /// <returns>One class id per row.</returns>
    /// <exception cref="ArgumentException">The dataset's features are not the model's.</exception>
    public static int[] PredictClasses(this ITabularClassifier model, TabularDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckFeatures(model, data);
        var result = new int[data.RowCount];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = model.Predict(data.GetRow(i));
        }

        return result;
    }

    /// <summary>Predicts the class probabilities of every row.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="data">Rows with the model's features, in the same order.</param>
    /// <returns>A row-major <c>[RowCount, ClassCount]</c> matrix.</returns>
    /// <exception cref="ArgumentException">The dataset's features are not the model's.</exception>
    public static double[] PredictProbabilities(this ITabularClassifier model, TabularDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckFeatures(model, data);
        int classes = model.ClassLabels.Count;
        var result = new double[data.RowCount * classes];
        for (int i = 0; i < data.RowCount; i++)
        {
            model.Predict(data.GetRow(i), result.AsSpan(i * classes, classes));
        }

        return result;
    }

    /// <summary>Predicts the target of every row.</summary>
    /// <param name="model">The regressor.</param>
    /// <param name="data">Rows with the model's features, in the same order.</param>
    /// <returns>One prediction per row.</returns>
    /// <exception cref="ArgumentException">The dataset's features are not the model's.</exception>
    public static double[] PredictValues(this ITabularRegressor model, TabularDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckFeatures(model, data);
        var result = new double[data.RowCount];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = model.Predict(data.GetRow(i));
        }

        return result;
    }

    private static void CheckFeatures(ITabularModel model, TabularDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!model.FeatureNames.SequenceEqual(data.FeatureNames, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"The dataset's features ({string.Join(", ", data.FeatureNames)}) are not the model's ({string.Join(", ", model.FeatureNames)}).",
                nameof(data));
        }
    }
}
