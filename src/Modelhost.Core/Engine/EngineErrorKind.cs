namespace Modelhost.Core.Engine;

/// <summary>What an <see cref="EngineException"/> is about, so that callers can tell the client's fault from the server's.</summary>
public enum EngineErrorKind
{
    /// <summary>Any other failure; the message says what happened.</summary>
    Failed,

    /// <summary>An argument was invalid: an unknown input or output name, a wrong shape or element type.</summary>
    InvalidArgument,

    /// <summary>The model file is not a valid model, or uses operators this engine does not have.</summary>
    InvalidModel,

    /// <summary>An execution provider the session asked for is not in this build or cannot run on this machine.</summary>
    ProviderUnavailable,
}
