namespace Modelhost.Learning.Trees;

/// <summary>How a tree measures the impurity a split should reduce.</summary>
public enum SplitCriterion
{
    /// <summary>Gini impurity (classification; the default there).</summary>
    Gini,

    /// <summary>Shannon entropy, i.e. information gain (classification).</summary>
    Entropy,

    /// <summary>Mean squared error, i.e. variance reduction (regression; the default there).</summary>
    SquaredError,
}
