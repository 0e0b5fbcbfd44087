using Modelhost.Commands;

namespace Modelhost.Tests;

public sealed class ParseErrorsTests
{
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(new[] { "serve", "--poll-seconds", "abc" }, "error: Cannot parse argument 'abc' for option '--poll-seconds': expected a number.", "Run 'modelhost serve --help' for its options.")]
    [InlineData(new[] { "train", "forest", "--trees", "2.5", "--data", "x.csv", "--target", "y", "--model", "m" }, "error: Cannot parse argument '2.5' for option '--trees': expected a whole number.", "Run 'modelhost train forest --help' for its options.")]
    [InlineData(new[] { "serve", "--no-such-flag" }, "error: Unrecognized command or argument '--no-such-flag'.", "Run 'modelhost serve --help' for its options.")]
    public async Task A_command_line_that_does_not_parse_exits_1_with_error_lines_and_where_to_read_the_options(string[] args, string error, string hint)
    {
        using var process = CliProcess.Start(args);
        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal([error, hint], lines);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task No_command_at_all_prints_the_commands_and_exits_1()
    {
        using var process = CliProcess.Start();
        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Commands:", process.Output, StringComparison.Ordinal);
        Assert.Contains("serve", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("error:", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Type_names_become_what_the_option_expects_and_other_messages_stay_as_they_are()
    {
        Assert.Equal(
            "Cannot parse argument 'x' for option '--period': expected a whole number.",
            ParseErrors.Readable("Cannot parse argument 'x' for option '--period' as expected type 'System.Nullable`1[System.Int32]'."));
        Assert.Equal(
            "Cannot parse argument 'x' for option '--score-th': expected a number.",
            ParseErrors.Readable("Cannot parse argument 'x' for option '--score-th' as expected type 'System.Nullable`1[System.Single]'."));
        Assert.Equal("Option '--horizon' is required.", ParseErrors.Readable("Option '--horizon' is required."));
    }
}
