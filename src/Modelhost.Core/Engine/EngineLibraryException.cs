namespace Modelhost.Core.Engine;

/// <summary>
/// The engine's native library could not be loaded. The message says which file was tried and why it failed, in one
/// line, and names the <c>MODELHOST_ONNXRUNTIME</c> environment variable where that is the way to fix it.
/// </summary>
public sealed class EngineLibraryException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was tried and how to fix it.</param>
    /// <param name="innerException">The loader's own exception, if any.</param>
    public EngineLibraryException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
