namespace Modelhost.Core.Engine;

/// <summary>The inference engine refused a model or a run; the message is the engine's own, and <see cref="Kind"/> classifies it.</summary>
public sealed class EngineException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What the failure is about.</param>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The engine's own exception, if any.</param>
    public EngineException(EngineErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>What the failure is about.</summary>
    public EngineErrorKind Kind { get; }
}
