namespace Modelhost.Learning.Trees;

/// <summary>Trains a forest's trees in parallel, each from its own random stream, so threading cannot change the result.</summary>
internal static class ForestTrainer
{
    public static DecisionTree[] Train(
        TreeTrainingData data,
        TreeSettings settings,
        RandomForestOptions options,
        IProgress<double>? progress,
        CancellationToken cancellationToken)
    {
        int treeCount = options.Trees;
        var trees = new DecisionTree[treeCount];
        int done = 0;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
            CancellationToken = cancellationToken,
        };

        // Parallel.For checks the token before each tree and then throws OperationCanceledException itself; each tree
        // checks it between nodes, and Parallel.For rethrows that as the same OperationCanceledException.
        Parallel.For(0, treeCount, parallel, i =>
        {
            trees[i] = new TreeBuilder(data, settings, DeterministicRandom.ForStream(options.Seed, i), cancellationToken).Build();
            int finished = Interlocked.Increment(ref done);
            progress?.Report((double)finished / treeCount);
        });
        return trees;
    }

    /// <summary>
    /// Mean decrease in impurity, as scikit-learn computes it: each tree's decreases normalized to sum to 1, averaged
    /// over the trees that split at all, and normalized again.
    /// </summary>
    public static double[] FeatureImportances(DecisionTree[] trees, int featureCount)
    {
        var total = new double[featureCount];
        var perTree = new double[featureCount];
        int used = 0;
        foreach (DecisionTree tree in trees)
        {
            if (tree.NodeCount <= 1)
            {
                continue;
            }

            Array.Clear(perTree);
            tree.AddImpurityDecrease(perTree);
            double sum = perTree.Sum();
            if (sum > 0)
            {
                for (int f = 0; f < featureCount; f++)
                {
                    total[f] += perTree[f] / sum;
                }
            }

            used++;
        }

        double grand = total.Sum();
        if (used > 0 && grand > 0)
        {
            for (int f = 0; f < featureCount; f++)
            {
                total[f] /= grand;
            }
        }

        return total;
    }
}
