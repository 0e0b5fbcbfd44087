using Modelhost.Learning.Data;
using Modelhost.Learning.Metrics;
using Modelhost.Learning.Trees;

namespace Modelhost.Learning.Tests.Trees;

public sealed class RandomForestClassifierTests
{
    [Theory]
    [InlineData("iris")]
    [InlineData("wine")]
    public void A_300_tree_forest_classifies_at_least_90_percent_of_a_seeded_30_percent_test_split(string name)
    {
        TabularDataset data = name == "iris" ? TabularFixtures.Iris() : TabularFixtures.Wine();
        var (train, test) = data.TrainTestSplit(0.3, seed: 1234, stratify: true);

        var model = RandomForestClassifier.Train(train, new RandomForestOptions { Trees = 300, Seed = 1234 });
        ClassificationReport report = ClassificationReport.Evaluate(model, test);

        Assert.True(report.Accuracy >= 0.9, $"accuracy {report.Accuracy}");
        Assert.True(report.MacroF1 >= 0.9, $"macro-F1 {report.MacroF1}");
    }

    [Fact]
    public void The_entropy_criterion_also_learns_wine()
    {
        var (train, test) = TabularFixtures.Wine().TrainTestSplit(0.3, seed: 4, stratify: true);

        var model = RandomForestClassifier.Train(train, new RandomForestOptions { Trees = 100, Criterion = SplitCriterion.Entropy, Seed = 4 });

        Assert.True(ClassificationReport.Evaluate(model, test).Accuracy >= 0.9);
        Assert.Equal(SplitCriterion.Entropy, model.Options.Criterion);
    }

    [Fact]
    public void The_same_seed_grows_identical_trees_with_one_thread_and_with_four()
    {
        TabularDataset wine = TabularFixtures.Wine();
        var options = new RandomForestOptions { Trees = 64, Seed = 99 };

        var single = RandomForestClassifier.Train(wine, options with { MaxDegreeOfParallelism = 1 });
        var parallel = RandomForestClassifier.Train(wine, options with { MaxDegreeOfParallelism = 4 });

        ForestAssert.SameTrees(single.Trees, parallel.Trees);
        Assert.Equal(single.PredictProbabilities(wine), parallel.PredictProbabilities(wine));
    }

    [Fact]
    public void Another_seed_grows_different_trees()
    {
        TabularDataset iris = TabularFixtures.Iris();

        var first = RandomForestClassifier.Train(iris, new RandomForestOptions { Trees = 10, Seed = 1 });
        var second = RandomForestClassifier.Train(iris, new RandomForestOptions { Trees = 10, Seed = 2 });

        Assert.NotEqual(first.Trees[0].Threshold, second.Trees[0].Threshold);
    }

    [Fact]
    public void Probabilities_are_averaged_leaf_class_fractions_that_sum_to_one_and_the_label_is_their_argmax()
    {
        TabularDataset iris = TabularFixtures.Iris();
        var model = RandomForestClassifier.Train(iris, new RandomForestOptions { Trees = 25, Seed = 3, MaxDepth = 2 });

        var probabilities = new double[3];
        for (int i = 0; i < iris.RowCount; i++)
        {
            int label = model.Predict(iris.GetRow(i), probabilities);

            double expected0 = model.Trees.Average(t => t.Value[t.FindLeaf(iris.GetRow(i)) * 3]);
            Assert.Equal(expected0, probabilities[0], 1e-6);
            Assert.Equal(1.0, probabilities.Sum(), 1e-6);
            Assert.Equal(Array.IndexOf(probabilities, probabilities.Max()), label);
            Assert.Equal(label, model.Predict(iris.GetRow(i)));
        }
    }

    [Fact]
    public void A_single_unbootstrapped_tree_over_all_features_fits_its_training_rows_exactly()
    {
        TabularDataset wine = TabularFixtures.Wine();

        var model = RandomForestClassifier.Train(
            wine, new RandomForestOptions { Trees = 1, Bootstrap = false, MaxFeatures = MaxFeatures.All });

        Assert.Equal(1.0, ClassificationReport.Evaluate(model, wine).Accuracy);
    }

    [Fact]
    public void Split_thresholds_are_midpoints_between_neighbouring_values()
    {
        TabularDataset data = TabularDataset.CreateClassification([1, 2, 3, 4], 1, [0, 0, 1, 1], ["a", "b"]);

        var model = RandomForestClassifier.Train(data, new RandomForestOptions { Trees = 1, Bootstrap = false });

        DecisionTree tree = Assert.Single(model.Trees);
        Assert.Equal(3, tree.NodeCount);
        Assert.Equal(2.5f, tree.Threshold[0]);
        Assert.Equal([0, 0, 1, 1], model.PredictClasses(data));
    }

    [Fact]
    public void Neighbouring_floats_are_separated_by_the_lower_value_when_their_midpoint_rounds_up()
    {
        float low = 1.0f;
        float high = MathF.BitIncrement(low);
        TabularDataset data = TabularDataset.CreateClassification([low, high, low, high], 1, [0, 1, 0, 1], ["a", "b"]);

        var model = RandomForestClassifier.Train(data, new RandomForestOptions { Trees = 1, Bootstrap = false });

        Assert.Equal(low, model.Trees[0].Threshold[0]);
        Assert.Equal([0, 1, 0, 1], model.PredictClasses(data));
    }

    [Fact]
    public void Max_depth_and_min_samples_leaf_bound_the_trees()
    {
        TabularDataset wine = TabularFixtures.Wine();

        var stumps = RandomForestClassifier.Train(wine, new RandomForestOptions { Trees = 20, MaxDepth = 1, Seed = 5 });
        var bushy = RandomForestClassifier.Train(wine, new RandomForestOptions { Trees = 20, MinSamplesLeaf = 10, Bootstrap = false, Seed = 5 });

        Assert.All(stumps.Trees, t => Assert.Equal(3, t.NodeCount));
        Assert.All(bushy.Trees, t =>
        {
            for (int node = 0; node < t.NodeCount; node++)
            {
                Assert.True(t.WeightedSamples[node] >= 10);
            }
        });
    }

    [Fact]
    public void Feature_importances_sum_to_one_and_favour_the_petal_measurements_on_iris()
    {
        var model = RandomForestClassifier.Train(TabularFixtures.Iris(), new RandomForestOptions { Trees = 100, Seed = 8 });

        Assert.Equal(1.0, model.FeatureImportances.Sum(), 1e-9);
        Assert.True(model.FeatureImportances[2] + model.FeatureImportances[3] > 0.7);
    }

    [Fact]
    public void Progress_reports_every_tree_and_ends_at_one()
    {
        var reports = new List<double>();
        var progress = new SynchronousProgress(reports);

        RandomForestClassifier.Train(TabularFixtures.Iris(), new RandomForestOptions { Trees = 40, MaxDegreeOfParallelism = 2 }, progress);

        Assert.Equal(40, reports.Count);
        Assert.Equal(1.0, reports.Max());
        Assert.Equal(Enumerable.Range(1, 40).Select(i => i / 40.0), reports.Order());
    }

    [Fact]
    public void Cancelling_stops_training_between_trees()
    {
        using var cancellation = new CancellationTokenSource();
        var reports = new List<double>();
        var progress = new SynchronousProgress(reports, onReport: _ => cancellation.Cancel());

        Assert.ThrowsAny<OperationCanceledException>(() => RandomForestClassifier.Train(
            TabularFixtures.Wine(), new RandomForestOptions { Trees = 1000, MaxDegreeOfParallelism = 1 }, progress, cancellation.Token));
        Assert.True(reports.Count < 1000);
    }

    [Fact]
    public void Options_are_checked()
    {
        TabularDataset iris = TabularFixtures.Iris();

        Assert.Throws<ArgumentException>(() => RandomForestClassifier.Train(iris, new RandomForestOptions { Trees = 0 }));
        Assert.Throws<ArgumentException>(() => RandomForestClassifier.Train(iris, new RandomForestOptions { MinSamplesSplit = 1 }));
        Assert.Throws<ArgumentException>(() => RandomForestClassifier.Train(iris, new RandomForestOptions { MinSamplesLeaf = 0 }));
        Assert.Throws<ArgumentException>(() => RandomForestClassifier.Train(iris, new RandomForestOptions { MaxDepth = -1 }));
        Assert.Throws<ArgumentException>(() => RandomForestClassifier.Train(iris, new RandomForestOptions { MaxDegreeOfParallelism = 0 }));
        Assert.Throws<ArgumentException>(() => RandomForestClassifier.Train(iris, new RandomForestOptions { Criterion = SplitCriterion.SquaredError }));
        Assert.Throws<ArgumentException>(() => RandomForestClassifier.Train(TabularFixtures.WineAlcohol()));
    }

    [Fact]
    public void Max_features_resolves_like_scikit_learn()
    {
        Assert.Equal(3, MaxFeatures.Sqrt.Resolve(13));
        Assert.Equal(3, MaxFeatures.Log2.Resolve(13));
        Assert.Equal(6, MaxFeatures.Fraction(0.5).Resolve(13));
        Assert.Equal(13, MaxFeatures.All.Resolve(13));
        Assert.Equal(13, MaxFeatures.Count(20).Resolve(13));
        Assert.Equal(1, MaxFeatures.Log2.Resolve(1));
        Assert.Equal("sqrt", MaxFeatures.Sqrt.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => MaxFeatures.Fraction(1.5));
    }

    [Fact]
    public void Defaults_follow_scikit_learn()
    {
        var model = RandomForestClassifier.Train(TabularFixtures.Iris(), new RandomForestOptions { Trees = 2 });

        Assert.Equal(SplitCriterion.Gini, model.Options.Criterion);
        Assert.Equal(MaxFeatures.Sqrt, model.Options.MaxFeatures);
        Assert.True(model.Options.Bootstrap);
        Assert.Equal(100, new RandomForestOptions().Trees);
    }

    [Fact]
    public void A_row_of_the_wrong_width_is_rejected()
    {
        var model = RandomForestClassifier.Train(TabularFixtures.Iris(), new RandomForestOptions { Trees = 2 });

        Assert.Throws<ArgumentException>(() => model.Predict([1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => model.PredictClasses(TabularFixtures.Wine()));
    }
}
