namespace Modelhost.Learning.Metrics;

/// <summary>Classification metrics over class ids, with scikit-learn's definitions.</summary>
internal static class ClassificationScores
{
    /// <summary>The fraction of rows predicted correctly.</summary>
    /// <param name="actual">The true class ids.</param>
    /// <param name="predicted">The predicted class ids, one per true id.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double Accuracy(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted)
    {
        CheckLengths(actual.Length, predicted.Length);
        int correct = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            correct += actual[i] == predicted[i] ? 1 : 0;
        }

        return (double)correct / actual.Length;
    }

    /// <summary>Counts of (true class, predicted class) pairs: row = true class, column = predicted, as scikit-learn.</summary>
    /// <param name="actual">The true class ids.</param>
    /// <param name="predicted">The predicted class ids, one per true id.</param>
    /// <param name="classCount">The number of classes; every id must be below it.</param>
    /// <returns>A <paramref name="classCount"/> × <paramref name="classCount"/> matrix.</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or an id is out of range.</exception>
    public static int[][] ConfusionMatrix(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        CheckLengths(actual.Length, predicted.Length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var matrix = new int[classCount][];
        for (int k = 0; k < classCount; k++)
        {
            matrix[k] = new int[classCount];
        }

        for (int i = 0; i < actual.Length; i++)
        {
            if ((uint)actual[i] >= (uint)classCount || (uint)predicted[i] >= (uint)classCount)
            {
                throw new ArgumentException($"Row {i} has a class id outside [0, {classCount}) (true {actual[i]}, predicted {predicted[i]}).");
            }

            matrix[actual[i]][predicted[i]]++;
        }

        return matrix;
    }

    /// <summary>
    /// The unweighted mean over classes of F1 = 2·TP / (2·TP + FP + FN), taken over the classes that occur among the
    /// true or predicted ids (scikit-learn's <c>f1_score(average="macro")</c>; a class never predicted correctly scores 0).
    /// </summary>
    /// <param name="actual">The true class ids.</param>
    /// <param name="predicted">The predicted class ids, one per true id.</param>
    /// <param name="classCount">The number of classes; every id must be below it.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentException">The spans differ in length or are empty, or an id is out of range.</exception>
    public static double MacroF1(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount) =>
        MacroF1(ConfusionMatrix(actual, predicted, classCount));

    internal static double MacroF1(int[][] confusion)
    {
        int classes = confusion.Length;
        double sum = 0;
        int present = 0;
        for (int k = 0; k < classes; k++)
        {
            long truePositives = confusion[k][k];
            long actualK = 0;
            long predictedK = 0;
            for (int j = 0; j < classes; j++)
            {
                actualK += confusion[k][j];
                predictedK += confusion[j][k];
            }

            if (actualK + predictedK == 0)
            {
                continue;
            }

            present++;
            sum += 2.0 * truePositives / (actualK + predictedK);
        }

        return sum / present;
    }

    private static void CheckLengths(int actual, int predicted)
    {
        if (actual != predicted)
        {
            throw new ArgumentException($"{actual} true values but {predicted} predictions.");
        }

        if (actual == 0)
        {
            throw new ArgumentException("Metrics need at least one row.");
        }
    }
}
