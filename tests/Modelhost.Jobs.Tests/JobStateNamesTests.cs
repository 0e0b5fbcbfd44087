namespace Modelhost.Jobs.Tests;

public sealed class JobStateNamesTests
{
    [Fact]
    public void Every_state_has_a_lowercase_name_that_parses_back()
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            var name = state.ToName();
            Assert.Equal(name.ToLowerInvariant(), name);
            Assert.True(JobStateNames.TryParse(name, out var parsed));
            Assert.Equal(state, parsed);
        }

        Assert.False(JobStateNames.TryParse("Queued", out _));
        Assert.False(JobStateNames.TryParse(null, out _));
    }

    [Fact]
    public void Only_succeeded_dead_and_cancelled_are_final()
    {
        Assert.Equal([JobState.Succeeded, JobState.Dead, JobState.Cancelled], Enum.GetValues<JobState>().Where(s => s.IsFinal()));
    }
}
