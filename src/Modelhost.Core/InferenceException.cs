namespace Modelhost.Core;

/// <summary>An inference request failed; <see cref="Kind"/> says how, and the message says what to fix.</summary>
/// <remarks>Messages are written for the client: they never carry stack traces or server paths.</remarks>
public sealed class InferenceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InferenceException(InferenceErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Creates the exception with the exception that caused it.</summary>
    public InferenceException(InferenceErrorKind kind, string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>How the request failed.</summary>
    public InferenceErrorKind Kind { get; }

    /// <summary>For a <see cref="InferenceErrorKind.QueueFull"/> error, how long the client should wait before retrying.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
