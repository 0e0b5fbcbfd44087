namespace Modelhost.Learning;

/// <summary>A model that assigns a row to one of <see cref="ClassLabels"/>.</summary>
public interface ITabularClassifier : ITabularModel
{
    /// <summary>The class labels, indexed by class id.</summary>
    IReadOnlyList<string> ClassLabels { get; }

    /// <summary>Predicts a row's class.</summary>
    /// <param name="features">The row's values, in <see cref="ITabularModel.FeatureNames"/> order.</param>
    /// <returns>The class id (an index into <see cref="ClassLabels"/>).</returns>
    /// <exception cref="ArgumentException">The row has the wrong number of values.</exception>
    int Predict(ReadOnlySpan<double> features);

    /// <summary>Predicts a row's class probabilities and class.</summary>
    /// <param name="features">The row's values, in <see cref="ITabularModel.FeatureNames"/> order.</param>
    /// <param name="probabilities">Receives one probability per class; its length is the number of classes.</param>
    /// <returns>The class id with the highest probability (the first on a tie).</returns>
    /// <exception cref="ArgumentException">The row or the destination has the wrong length.</exception>
    int Predict(ReadOnlySpan<double> features, Span<double> probabilities);
}
