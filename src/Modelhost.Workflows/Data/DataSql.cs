using System.Text.RegularExpressions;
using Modelhost.Jobs;

namespace Modelhost.Workflows.Data;

/// <summary>The checks every name and query from an API passes before it reaches the database.</summary>
public static partial class DataSql
{
    /// <summary>The longest query accepted.</summary>
    public const int MaxQueryLength = 10_000;

    /// <summary>Whether <paramref name="name"/> is a table or column name Modelhost writes: <c>[A-Za-z_][A-Za-z0-9_]{0,62}</c>.</summary>
    public static bool IsValidIdentifier(string? name) => name is not null && Identifier().IsMatch(name);

    /// <summary>Throws unless <paramref name="name"/> passes <see cref="IsValidIdentifier"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="what">What it names, for the message, e.g. "output table".</param>
    /// <exception cref="JobException">The name is invalid (<see cref="JobErrorKind.InvalidArgument"/>).</exception>
    public static void ValidateIdentifier(string? name, string what)
    {
        if (!IsValidIdentifier(name))
        {
            throw new JobException(JobErrorKind.InvalidArgument, $"The {what} '{name}' is not a valid name: use letters, digits and '_', starting with a letter or '_', at most 63 characters.");
        }
    }

    /// <summary>
    /// Throws unless <paramref name="query"/> is one SELECT statement: it starts with SELECT (any case) and holds no ';'.
    /// The query runs on the server's own database with the server's rights; this check keeps writes and second statements
    /// out, not reads of other tables.
    /// </summary>
    /// <exception cref="JobException">The query is refused (<see cref="JobErrorKind.InvalidArgument"/>).</exception>
    public static void ValidateSelect(string? query)
    {
        var text = query?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new JobException(JobErrorKind.InvalidArgument, "The query is empty.");
        }

        if (text.Length > MaxQueryLength)
        {
            throw new JobException(JobErrorKind.InvalidArgument, $"The query is longer than {MaxQueryLength} characters.");
        }

        if (!text.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || (text.Length > 6 && !char.IsWhiteSpace(text[6])))
        {
            throw new JobException(JobErrorKind.InvalidArgument, "Only a single SELECT statement is allowed as a query.");
        }

        if (text.Contains(';', StringComparison.Ordinal))
        {
            throw new JobException(JobErrorKind.InvalidArgument, "Only a single SELECT statement is allowed as a query: ';' is not allowed.");
        }
    }

    /// <summary>The name quoted for SQL (it passed <see cref="IsValidIdentifier"/>, so it holds no quote).</summary>
    internal static string Quote(string name) => "\"" + name + "\"";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
