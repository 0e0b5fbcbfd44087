namespace Modelhost.Learning.Trees;

/// <summary>Settings for training a random forest; the defaults are scikit-learn's.</summary>
public sealed record RandomForestOptions
{
    /// <summary>The number of trees; 100 by default.</summary>
    public int Trees { get; init; } = 100;

    /// <summary>The split criterion; null for Gini (classification) or squared error (regression).</summary>
    public SplitCriterion? Criterion { get; init; }

    /// <summary>The deepest a tree may grow (the root is depth 0); null for no limit.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>The fewest rows a node needs to be split; 2 by default.</summary>
    public int MinSamplesSplit { get; init; } = 2;

    /// <summary>The fewest rows each side of a split must keep; 1 by default.</summary>
    public int MinSamplesLeaf { get; init; } = 1;

    /// <summary>The features considered per split; null for <see cref="Trees.MaxFeatures.Sqrt"/> (classification) or <see cref="Trees.MaxFeatures.All"/> (regression).</summary>
    public MaxFeatures? MaxFeatures { get; init; }

    /// <summary>Whether each tree trains on a bootstrap sample (as many rows, drawn with replacement); true by default.</summary>
    public bool Bootstrap { get; init; } = true;

    /// <summary>The random seed; tree <c>i</c> draws from a stream derived from it and <c>i</c>, so results do not depend on threading.</summary>
    public int Seed { get; init; }

    /// <summary>The most trees trained at once; -1 (the default) for one per core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
