namespace Modelhost.Jobs.Processes;

/// <summary>One line a program wrote.</summary>
/// <param name="IsStandardError">Whether it came from standard error rather than standard output.</param>
/// <param name="Text">The line, without its line break.</param>
public readonly record struct ExternalOutputLine(bool IsStandardError, string Text);
