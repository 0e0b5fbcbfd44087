using Microsoft.ML.OnnxRuntime;

namespace Modelhost.Core.Engine.OnnxRuntime;

/// <summary>Turns ONNX Runtime's exceptions into <see cref="EngineException"/>s.</summary>
/// <remarks>
/// ORT's managed API keeps the C API's error code internal and puts it in front of the message as
/// <c>[ErrorCode:InvalidArgument] ...</c>; the code is read from there and the prefix dropped from the message.
/// </remarks>
internal static class OnnxRuntimeErrors
{
    private const string Prefix = "[ErrorCode:";

    /// <summary>An error of a run: ORT's InvalidArgument is the request's fault, anything else the server's.</summary>
    public static EngineException FromRun(OnnxRuntimeException exception)
    {
        var (code, message) = Split(exception.Message);
        var kind = code == "InvalidArgument" ? EngineErrorKind.InvalidArgument : EngineErrorKind.Failed;
        return new EngineException(kind, message, exception);
    }

    /// <summary>An error of loading a model.</summary>
    public static EngineException FromLoad(OnnxRuntimeException exception)
    {
        var (_, message) = Split(exception.Message);
        return new EngineException(EngineErrorKind.InvalidModel, message, exception);
    }

    /// <summary>A message on one line: loaders and ORT put advice and detail on lines of their own.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The error code's name (empty when the message has none) and the message without the prefix.</summary>
    public static (string Code, string Message) Split(string message)
    {
        if (message.StartsWith(Prefix, StringComparison.Ordinal) && message.IndexOf(']', StringComparison.Ordinal) is > 0 and var end)
        {
            return (message[Prefix.Length..end], message[(end + 1)..].TrimStart());
        }

        return (string.Empty, message);
    }
}
