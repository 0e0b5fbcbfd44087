using Modelhost.Learning.Data;

namespace Modelhost.Learning.Tests.Data;

public sealed class DatasetConstructionTests
{
    [Fact]
    public void Generated_datasets_get_default_feature_names_and_copy_their_inputs()
    {
        double[] features = [1, 2, 3, 4];
        TabularDataset data = TabularDataset.CreateRegression(features, 2, [5, 6]);
        features[0] = 99;

        Assert.Equal(["x0", "x1"], data.FeatureNames);
        Assert.Equal([1.0, 2], data.GetRow(0).ToArray());
        Assert.Equal("target", data.TargetName);
    }

    [Fact]
    public void Inconsistent_generated_datasets_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => TabularDataset.CreateRegression([1, 2, 3], 2, [1, 2]));
        Assert.Throws<ArgumentException>(() => TabularDataset.CreateRegression([double.NaN], 1, [1]));
        Assert.Throws<ArgumentException>(() => TabularDataset.CreateRegression([1e300], 1, [1]));
        Assert.Throws<ArgumentException>(() => TabularDataset.CreateRegression([1], 1, [double.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => TabularDataset.CreateClassification([1, 2], 1, [0, 2], ["a", "b"]));
        Assert.Throws<ArgumentException>(() => TabularDataset.CreateClassification([1, 2], 1, [0, 0], ["a"]));
        Assert.Throws<ArgumentException>(() => TabularDataset.CreateClassification([1, 2], 1, [0, 1], ["a", "a"]));
        Assert.Throws<ArgumentException>(() => TabularDataset.CreateClassification([1, 2], 2, [0], ["a", "b"], ["same", "same"]));
    }

    [Fact]
    public void A_subset_takes_rows_in_the_given_order_and_keeps_every_class_label()
    {
        TabularDataset iris = TabularFixtures.Iris();

        TabularDataset subset = iris.Subset([149, 0, 0]);

        Assert.Equal(3, subset.RowCount);
        Assert.Equal(iris.GetRow(149).ToArray(), subset.GetRow(0).ToArray());
        Assert.Equal([2, 0, 0], subset.ClassIds.ToArray());
        Assert.Equal(iris.ClassLabels, subset.ClassLabels);
        Assert.Throws<ArgumentOutOfRangeException>(() => iris.Subset([150]));
        Assert.Throws<ArgumentOutOfRangeException>(() => iris.GetRow(-1));
    }
}
