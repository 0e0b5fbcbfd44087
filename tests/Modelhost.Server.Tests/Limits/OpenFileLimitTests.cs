using Modelhost.Server.Configuration;
using Modelhost.Server.Hosting;

namespace Modelhost.Server.Tests.Limits;

public sealed class OpenFileLimitTests
{
    [Fact]
    public void A_soft_limit_with_room_for_the_connections_and_the_headroom_is_left_alone()
    {
        Assert.Null(OpenFileLimit.Needed(soft: 1256, hard: 4096, maxConnections: 1000));
    }

    [Fact]
    public void A_soft_limit_too_low_is_raised_to_the_hard_limit_when_that_suffices()
    {
        Assert.Equal(4096, OpenFileLimit.Needed(soft: 1024, hard: 4096, maxConnections: 1000));
        Assert.Equal(1L << 20, OpenFileLimit.Needed(soft: 1024, hard: long.MaxValue, maxConnections: 1000));
    }

    [Fact]
    public void A_hard_limit_too_low_refuses_to_start_naming_the_key_and_the_most_that_fits()
    {
        var ex = Assert.Throws<ServerConfigException>(() => OpenFileLimit.Needed(soft: 1024, hard: 1024, maxConnections: 1000));
        Assert.Contains("limits.max_connections", ex.Message, StringComparison.Ordinal);
        Assert.Contains("768", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_process_limit_is_read_and_leaves_room_for_the_default_connections()
    {
        var outcome = OpenFileLimit.Ensure(1000);
        if (OperatingSystem.IsLinux())
        {
            Assert.True(outcome.Soft >= 1000 + OpenFileLimit.Headroom, outcome.Describe(1000));
        }

        Assert.Contains("limits.max_connections is 1000", outcome.Describe(1000), StringComparison.Ordinal);
    }
}
