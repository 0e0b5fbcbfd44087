using Modelhost.Learning.Trees;

namespace Modelhost.Learning.Tests.Trees;

internal static class ForestAssert
{
    public static void SameTrees(IReadOnlyList<DecisionTree> expected, IReadOnlyList<DecisionTree> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int t = 0; t < expected.Count; t++)
        {
            Assert.Equal(expected[t].Feature, actual[t].Feature);
            Assert.Equal(expected[t].Threshold, actual[t].Threshold);
            Assert.Equal(expected[t].Left, actual[t].Left);
            Assert.Equal(expected[t].Right, actual[t].Right);
            Assert.Equal(expected[t].Value, actual[t].Value);
        }
    }
}
