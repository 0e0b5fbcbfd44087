using Modelhost.Learning.Data;

namespace Modelhost.Learning.Tests.Data;

public sealed class TrainTestSplitTests
{
    [Fact]
    public void The_test_set_gets_the_ceiling_of_its_share_and_the_sets_partition_the_rows()
    {
        TabularDataset data = Numbered(101, classes: 3);

        var (train, test) = data.TrainTestSplit(0.3, seed: 5);

        Assert.Equal(31, test.RowCount);
        Assert.Equal(70, train.RowCount);
        double[] all = [.. train.Features.ToArray(), .. test.Features.ToArray()];
        Assert.Equal(Enumerable.Range(0, 101).Select(i => (double)i), all.Order());
        Assert.Equal(data.ClassLabels, test.ClassLabels);
    }

    [Fact]
    public void Rows_keep_their_targets_when_split()
    {
        TabularDataset data = Numbered(60, classes: 3);

        var (train, test) = data.TrainTestSplit(0.25, seed: 9);

        foreach (TabularDataset part in new[] { train, test })
        {
            for (int i = 0; i < part.RowCount; i++)
            {
                Assert.Equal((int)part.GetRow(i)[0] % 3, part.ClassIds.Span[i]);
            }
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_a_different_one()
    {
        TabularDataset data = Numbered(50, classes: 2);

        double[] first = data.TrainTestSplit(0.3, seed: 1).Test.Features.ToArray();
        double[] again = data.TrainTestSplit(0.3, seed: 1).Test.Features.ToArray();
        double[] other = data.TrainTestSplit(0.3, seed: 2).Test.Features.ToArray();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_stratified_split_keeps_each_class_share_in_both_sets()
    {
        TabularDataset iris = TabularFixtures.Iris();

        var (train, test) = iris.TrainTestSplit(0.3, seed: 1234, stratify: true);

        Assert.Equal([15, 15, 15], CountByClass(test));
        Assert.Equal([35, 35, 35], CountByClass(train));
    }

    [Fact]
    public void A_stratified_split_gives_leftover_rows_to_the_classes_with_the_largest_remainders()
    {
        TabularDataset wine = TabularFixtures.Wine();

        var (train, test) = wine.TrainTestSplit(0.3, seed: 3, stratify: true);

        // 54 test rows: exact shares 17.90, 21.54, 14.56 → 17, 21, 14, and the two rows left go to the largest remainders (classes 0 and 2).
        Assert.Equal([18, 21, 15], CountByClass(test));
        Assert.Equal(124, train.RowCount);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_test_size_outside_zero_to_one_is_rejected(double testSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbered(10, 2).TrainTestSplit(testSize, 1));
    }

    [Fact]
    public void A_split_that_leaves_a_set_empty_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Numbered(2, 2).TrainTestSplit(0.9, 1));
    }

    [Fact]
    public void Stratifying_needs_two_rows_of_every_class_and_a_classification_target()
    {
        TabularDataset lonely = TabularDataset.CreateClassification([1, 2, 3, 4, 5], 1, [0, 0, 0, 0, 1], ["a", "b"]);
        TabularDataset regression = TabularDataset.CreateRegression([1, 2, 3, 4], 1, [1, 2, 3, 4]);

        Assert.Throws<ArgumentException>(() => lonely.TrainTestSplit(0.4, 1, stratify: true));
        Assert.Throws<ArgumentException>(() => regression.TrainTestSplit(0.5, 1, stratify: true));
    }

    private static int[] CountByClass(TabularDataset data) =>
        Enumerable.Range(0, data.ClassCount).Select(k => data.ClassIds.ToArray().Count(c => c == k)).ToArray();

    private static TabularDataset Numbered(int rows, int classes) =>
        TabularDataset.CreateClassification(
            Enumerable.Range(0, rows).Select(i => (double)i).ToArray(),
            1,
            Enumerable.Range(0, rows).Select(i => i % classes).ToArray(),
            Enumerable.Range(0, classes).Select(k => $"c{k}").ToArray());
}
