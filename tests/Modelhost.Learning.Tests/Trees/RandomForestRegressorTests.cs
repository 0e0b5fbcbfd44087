using Modelhost.Learning.Data;
using Modelhost.Learning.Metrics;
using Modelhost.Learning.Trees;

namespace Modelhost.Learning.Tests.Trees;

public sealed class RandomForestRegressorTests
{
    [Fact]
    public void A_forest_learns_sine_plus_square_far_better_than_predicting_the_mean()
    {
        var (train, test) = TabularFixtures.SineAndSquare(2000, seed: 1).TrainTestSplit(0.3, seed: 2);

        var model = RandomForestRegressor.Train(train, new RandomForestOptions { Trees = 100, Seed = 3 });
        RegressionReport report = RegressionReport.Evaluate(model, test);

        double mean = train.Targets.ToArray().Average();
        double baseline = RegressionScores.Rmse(test.Targets.Span, Enumerable.Repeat(mean, test.RowCount).ToArray());
        Assert.True(report.Rmse < 0.15 * baseline, $"forest RMSE {report.Rmse}, mean predictor {baseline}");
        Assert.True(report.R2 > 0.97, $"R² {report.R2}");
        Assert.True(model.FeatureImportances[2] < 0.02, $"importance of the unused feature {model.FeatureImportances[2]}");
    }

    [Fact]
    public void Regression_defaults_are_squared_error_over_all_features()
    {
        var model = RandomForestRegressor.Train(TabularFixtures.WineAlcohol(), new RandomForestOptions { Trees = 2 });

        Assert.Equal(SplitCriterion.SquaredError, model.Options.Criterion);
        Assert.Equal(MaxFeatures.All, model.Options.MaxFeatures);
    }

    [Fact]
    public void The_prediction_is_the_average_of_the_leaf_means()
    {
        TabularDataset data = TabularFixtures.WineAlcohol();
        var model = RandomForestRegressor.Train(data, new RandomForestOptions { Trees = 10, Seed = 6 });

        for (int i = 0; i < data.RowCount; i += 7)
        {
            double expected = model.Trees.Average(t => t.Value[t.FindLeaf(data.GetRow(i))]);
            Assert.Equal(expected, model.Predict(data.GetRow(i)), 1e-5);
        }
    }

    [Fact]
    public void A_single_unbootstrapped_tree_reproduces_distinct_training_targets()
    {
        TabularDataset data = TabularDataset.CreateRegression([1, 2, 3, 4, 5], 1, [10, -3, 7, 7.5, 0]);

        var model = RandomForestRegressor.Train(data, new RandomForestOptions { Trees = 1, Bootstrap = false });

        Assert.Equal([10, -3, 7, 7.5, 0], model.PredictValues(data));
    }

    [Fact]
    public void The_same_seed_grows_identical_regression_trees_with_one_thread_and_with_four()
    {
        TabularDataset data = TabularFixtures.SineAndSquare(500, seed: 2);
        var options = new RandomForestOptions { Trees = 32, Seed = 17, MaxFeatures = MaxFeatures.Sqrt };

        var single = RandomForestRegressor.Train(data, options with { MaxDegreeOfParallelism = 1 });
        var parallel = RandomForestRegressor.Train(data, options with { MaxDegreeOfParallelism = 4 });

        ForestAssert.SameTrees(single.Trees, parallel.Trees);
    }

    [Fact]
    public void A_classification_dataset_or_criterion_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => RandomForestRegressor.Train(TabularFixtures.Iris()));
        Assert.Throws<ArgumentException>(() => RandomForestRegressor.Train(
            TabularFixtures.WineAlcohol(), new RandomForestOptions { Criterion = SplitCriterion.Gini }));
    }
}
