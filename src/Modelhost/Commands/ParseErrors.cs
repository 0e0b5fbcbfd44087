using System.CommandLine;
using System.Text.RegularExpressions;

namespace Modelhost.Commands;

/// <summary>
/// The command line's parse errors in the words of the rest of the CLI: <c>error: ...</c> lines, with what an option
/// expects instead of System.CommandLine's .NET type names (<c>'System.Nullable`1[System.Double]'</c>), and where to
/// read the options.
/// </summary>
internal static partial class ParseErrors
{
    /// <summary>Writes the errors of <paramref name="result"/> and returns the exit code; 0 when there are none.</summary>
    public static int Report(ParseResult result, TextWriter error)
    {
        if (result.Errors.Count == 0)
        {
            return 0;
        }

        foreach (var parseError in result.Errors)
        {
            error.WriteLine("error: " + Readable(parseError.Message));
        }

        // The full path of a subcommand: 'train forest', not 'forest'.
        var names = new List<string>();
        for (var symbol = (System.CommandLine.Parsing.SymbolResult?)result.CommandResult; symbol is System.CommandLine.Parsing.CommandResult { Command: not RootCommand } command; symbol = symbol.Parent)
        {
            names.Insert(0, command.Command.Name);
        }

        error.WriteLine(names.Count == 0 ? "Run 'modelhost --help' for the commands." : $"Run 'modelhost {string.Join(' ', names)} --help' for its options.");
        return 1;
    }

    internal static string Readable(string message) => ExpectedType().Replace(message, match => ": expected " + Describe(match.Groups["type"].Value));

    private static string Describe(string type)
    {
        var inner = type.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? type["System.Nullable`1[".Length..^1] : type;
        return inner switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            _ => "a value of another form",
        };
    }

    [GeneratedRegex(@" as expected type '(?<type>[^']+)'")]
    private static partial Regex ExpectedType();
}
