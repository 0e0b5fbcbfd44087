using Modelhost.Core.Configuration;

namespace Modelhost.Core.Tests.Configuration;

public sealed class ModelConfigTests
{
    [Fact]
    public void Config_types_refuse_out_of_range_values_when_built_in_code()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelConfig { Instances = 65 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelConfig { Warmup = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelConfig { MaxBatchSize = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DynamicBatchingConfig { MaxQueueSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DynamicBatchingConfig { PreferredBatchSizes = [0] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SessionConfig { IntraOpThreads = -1 });
    }

    [Fact]
    public void Config_types_can_be_built_in_code_for_tests_and_defaults()
    {
        var config = new ModelConfig
        {
            MaxBatchSize = 8,
            DynamicBatching = new DynamicBatchingConfig { PreferredBatchSizes = [4, 8] },
            Session = new SessionConfig { GraphOptimizationLevel = OptimizationLevel.Basic },
        };

        Assert.True(config.DynamicBatchingEnabled);
        Assert.Equal(100, config.DynamicBatching!.MaxQueueDelayMicroseconds);
        Assert.Equal(OptimizationLevel.Basic, config.Session.GraphOptimizationLevel);
    }
}
