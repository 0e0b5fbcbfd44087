namespace Modelhost.Learning;

/// <summary>A model that predicts a real value for a row.</summary>
public interface ITabularRegressor : ITabularModel
{
    /// <summary>Predicts a row's target value.</summary>
    /// <param name="features">The row's values, in <see cref="ITabularModel.FeatureNames"/> order.</param>
    /// <returns>The prediction.</returns>
    /// <exception cref="ArgumentException">The row has the wrong number of values.</exception>
    double Predict(ReadOnlySpan<double> features);
}
