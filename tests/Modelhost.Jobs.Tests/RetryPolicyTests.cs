namespace Modelhost.Jobs.Tests;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Nominal_delays_double_from_the_base_until_the_cap()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(5), Factor = 2, MaxDelay = TimeSpan.FromSeconds(60) };

        Assert.Equal([5, 10, 20, 40, 60, 60], Enumerable.Range(1, 6).Select(a => policy.NominalDelay(a).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(60), policy.NominalDelay(10_000));
    }

    [Fact]
    public void Jitter_spreads_a_delay_evenly_around_its_nominal_value()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(10), Jitter = 0.2 };

        Assert.Equal(8, policy.Delay(1, 0).TotalSeconds, 6);
        Assert.Equal(10, policy.Delay(1, 0.5).TotalSeconds, 6);
        Assert.Equal(12, policy.Delay(1, 1).TotalSeconds, 6);
    }

    [Theory]
    [InlineData(-1, 2, 10, 0.2)]
    [InlineData(1, 0.5, 10, 0.2)]
    [InlineData(1, 2, -10, 0.2)]
    [InlineData(1, 2, 10, 1.5)]
    public void An_inconsistent_policy_is_rejected_when_a_store_opens(double baseSeconds, double factor, double maxSeconds, double jitter)
    {
        var policy = new RetryPolicy
        {
            BaseDelay = TimeSpan.FromSeconds(baseSeconds),
            Factor = factor,
            MaxDelay = TimeSpan.FromSeconds(maxSeconds),
            Jitter = jitter,
        };

        Assert.Throws<ArgumentException>(policy.Validate);
    }
}
