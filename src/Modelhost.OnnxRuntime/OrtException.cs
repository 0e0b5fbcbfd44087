namespace Modelhost.OnnxRuntime;

/// <summary>ONNX Runtime reported an error; the message is its own, and <see cref="ErrorCode"/> classifies it.</summary>
public sealed class OrtException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The code ONNX Runtime returned.</param>
    /// <param name="message">The message ONNX Runtime returned.</param>
    public OrtException(OrtErrorCode errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The code ONNX Runtime returned with the error.</summary>
    public OrtErrorCode ErrorCode { get; }
}
