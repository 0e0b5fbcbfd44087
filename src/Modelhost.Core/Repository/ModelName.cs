using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Modelhost.Core.Repository;

/// <summary>
/// The rules for model names, which are also directory names and URL path segments:
/// 1 to 64 of <c>A-Z a-z 0-9 _ . -</c>, and not <c>.</c> or <c>..</c>. Version labels follow the same rules.
/// </summary>
/// <remarks>Public because the protocol endpoints check names from request URLs with it.</remarks>
public static class ModelName
{
    /// <summary>The longest valid name.</summary>
    public const int MaxLength = 64;

    private const int MaxDisplayLength = 80;

    /// <summary>Whether <paramref name="name"/> is a valid model name.</summary>
    public static bool IsValid([NotNullWhen(true)] string? name)
    {
        if (name is null || name.Length is 0 or > MaxLength || name is "." or "..")
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks a model name, giving a message that says what is allowed when it is invalid.</summary>
    public static bool TryValidate([NotNullWhen(true)] string? name, [NotNullWhen(false)] out string? error)
        => TryValidate(name, "model name", out error);

    /// <summary>Checks a name that follows the model name rules; <paramref name="what"/> (e.g. "label name") starts the message.</summary>
    internal static bool TryValidate([NotNullWhen(true)] string? name, string what, [NotNullWhen(false)] out string? error)
    {
        if (IsValid(name))
        {
            error = null;
            return true;
        }

        string rule = name is "." or ".." ? "use 1-64 of A-Z a-z 0-9 _ . -, other than '.' and '..'" : "use 1-64 of A-Z a-z 0-9 _ . -";
        error = $"{what} '{ToDisplay(name)}' is invalid: {rule}";
        return false;
    }

    /// <summary>Throws when <paramref name="name"/> is not a valid model name.</summary>
    /// <exception cref="ArgumentException">The name is invalid; the message says what is allowed.</exception>
    public static void Validate([NotNull] string? name)
    {
        if (!TryValidate(name, out string? error))
        {
            throw new ArgumentException(error, nameof(name));
        }
    }

    /// <summary>Makes an untrusted name safe to put in a log line: control characters escaped, length capped.</summary>
    internal static string ToDisplay(string? name)
    {
        if (name is null)
        {
            return "";
        }

        var builder = new StringBuilder(Math.Min(name.Length, MaxDisplayLength) + 8);
        foreach (char c in name.Length > MaxDisplayLength ? name.AsSpan(0, MaxDisplayLength) : name.AsSpan())
        {
            if (char.IsControl(c))
            {
                builder.Append($"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        if (name.Length > MaxDisplayLength)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }
}
