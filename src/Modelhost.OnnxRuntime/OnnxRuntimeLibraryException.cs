namespace Modelhost.OnnxRuntime;

/// <summary>
/// The ONNX Runtime shared library could not be loaded or is too old. The message lists what was tried and why each
/// attempt failed, and how to point Modelhost at a library with the <c>MODELHOST_ONNXRUNTIME</c> environment variable.
/// </summary>
public sealed class OnnxRuntimeLibraryException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was tried and how to fix it.</param>
    public OnnxRuntimeLibraryException(string message)
        : base(message)
    {
    }
}
