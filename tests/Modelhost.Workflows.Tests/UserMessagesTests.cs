namespace Modelhost.Workflows.Tests;

public sealed class UserMessagesTests
{
    [Fact]
    public void An_argument_exception_loses_its_parameter_name_and_other_messages_stay_whole()
    {
        Assert.Equal("Series 'T1' has 1 observations.", UserMessages.Of(new ArgumentException("Series 'T1' has 1 observations.", "series")));
        Assert.Equal("no series here", UserMessages.Of(new ArgumentException("no series here")));
        Assert.Equal("table 'x' (Parameter 'y') is gone", UserMessages.Of(new InvalidOperationException("table 'x' (Parameter 'y') is gone")));
    }
}
