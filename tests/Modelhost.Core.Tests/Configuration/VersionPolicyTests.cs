using Modelhost.Core.Configuration;

namespace Modelhost.Core.Tests.Configuration;

public sealed class VersionPolicyTests
{
    [Fact]
    public void Default_serves_only_the_highest_version()
    {
        Assert.Equal([3L], VersionPolicy.Default.Select([1, 2, 3]));
        Assert.Equal("{latest: 1}", VersionPolicy.Default.ToString());
    }

    [Fact]
    public void Latest_serves_the_highest_n_versions_in_ascending_order()
    {
        Assert.Equal([5L, 9L], VersionPolicy.Latest(2).Select([1, 2, 5, 9]));
    }

    [Fact]
    public void Latest_serves_everything_when_fewer_versions_exist()
    {
        Assert.Equal([1L, 2L], VersionPolicy.Latest(5).Select([1, 2]));
    }

    [Fact]
    public void Every_policy_serves_nothing_when_no_version_exists()
    {
        Assert.Empty(VersionPolicy.Latest(1).Select([]));
        Assert.Empty(VersionPolicy.All.Select([]));
        Assert.Empty(VersionPolicy.Specific([1]).Select([]));
    }

    [Fact]
    public void All_serves_every_version()
    {
        Assert.Equal([1L, 2L, 7L], VersionPolicy.All.Select([1, 2, 7]));
        Assert.Equal("{all: true}", VersionPolicy.All.ToString());
    }

    [Fact]
    public void Specific_serves_the_listed_versions_that_exist_and_skips_the_rest()
    {
        VersionPolicy policy = VersionPolicy.Specific([4, 1, 3]);

        Assert.Equal([1L, 3L], policy.Select([1, 2, 3]));
        Assert.Equal([1L, 3L, 4L], policy.SpecificVersions);
        Assert.Equal("{specific: [1, 3, 4]}", policy.ToString());
    }

    [Fact]
    public void Latest_needs_at_least_one_version()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VersionPolicy.Latest(0));
    }

    [Fact]
    public void Specific_needs_positive_versions_and_at_least_one()
    {
        Assert.Throws<ArgumentException>(() => VersionPolicy.Specific([]));
        Assert.Throws<ArgumentException>(() => VersionPolicy.Specific([0, 1]));
        Assert.Throws<ArgumentException>(() => VersionPolicy.Specific([-2]));
    }
}
