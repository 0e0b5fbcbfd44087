namespace Modelhost.Jobs.Processes;

/// <summary>A program to run with <see cref="ExternalProcessRunner"/>: an argument vector, never a shell command line.</summary>
public sealed class ExternalCommand
{
    /// <summary>
    /// The program (first element: a path, relative ones with a '/' resolved against <see cref="WorkingDirectory"/>, or a
    /// name looked up on PATH) and its arguments. Elements may contain
    /// placeholders such as <c>{output_dir}</c>; each element stays one argument whatever its value holds.
    /// </summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>The directory the program starts in; the current directory when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>How long the program may run before it (and everything it started) is killed; no limit when null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Environment variables to set (or, with a null value, to remove) on top of the server's.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }
}
