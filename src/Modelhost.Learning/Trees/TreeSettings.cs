using Modelhost.Learning.Data;

namespace Modelhost.Learning.Trees;

/// <summary>Forest options checked and resolved against the training data.</summary>
internal sealed record TreeSettings(
    SplitCriterion Criterion, int MaxDepth, int MinSamplesSplit, int MinSamplesLeaf, int MaxFeatures, bool Bootstrap)
{
    /// <summary>Checks the options and fills in the defaults that depend on the task.</summary>
    /// <returns>The options with <see cref="RandomForestOptions.Criterion"/> and <see cref="RandomForestOptions.MaxFeatures"/> set.</returns>
    public static RandomForestOptions Resolve(RandomForestOptions options, TabularDataset data, TargetKind kind, out TreeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.TargetKind != kind)
        {
            throw new ArgumentException(
                $"The dataset's target '{data.TargetName}' is a {data.TargetKind.ToString().ToLowerInvariant()} target; this learner needs {kind.ToString().ToLowerInvariant()}.",
                nameof(data));
        }

        if (options.Trees < 1)
        {
            throw new ArgumentException($"Trees must be at least 1 (was {options.Trees}).", nameof(options));
        }

        if (options.MaxDepth is < 0)
        {
            throw new ArgumentException($"MaxDepth must be 0 or more, or null for no limit (was {options.MaxDepth}).", nameof(options));
        }

        if (options.MinSamplesSplit < 2)
        {
            throw new ArgumentException($"MinSamplesSplit must be at least 2 (was {options.MinSamplesSplit}).", nameof(options));
        }

        if (options.MinSamplesLeaf < 1)
        {
            throw new ArgumentException($"MinSamplesLeaf must be at least 1 (was {options.MinSamplesLeaf}).", nameof(options));
        }

        if (options.MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentException($"MaxDegreeOfParallelism must be -1 or positive (was {options.MaxDegreeOfParallelism}).", nameof(options));
        }

        bool classification = kind == TargetKind.Classification;
        SplitCriterion criterion = options.Criterion ?? (classification ? SplitCriterion.Gini : SplitCriterion.SquaredError);
        if (classification == (criterion == SplitCriterion.SquaredError) || !Enum.IsDefined(criterion))
        {
            throw new ArgumentException(
                $"The {criterion} criterion is not for {kind.ToString().ToLowerInvariant()}; use {(classification ? "Gini or Entropy" : "SquaredError")}.",
                nameof(options));
        }

        MaxFeatures maxFeatures = options.MaxFeatures ?? (classification ? Trees.MaxFeatures.Sqrt : Trees.MaxFeatures.All);
        settings = new TreeSettings(
            criterion,
            options.MaxDepth ?? int.MaxValue,
            options.MinSamplesSplit,
            options.MinSamplesLeaf,
            maxFeatures.Resolve(data.FeatureCount),
            options.Bootstrap);
        return options with { Criterion = criterion, MaxFeatures = maxFeatures };
    }
}
