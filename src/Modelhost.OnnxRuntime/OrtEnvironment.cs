namespace Modelhost.OnnxRuntime;

/// <summary>ONNX Runtime's process-wide environment (<c>OrtEnv</c>), which every session is created in.</summary>
/// <remarks>
/// ORT allows one environment per process, and it owns the global logging and thread state, so there is exactly one
/// instance, created on first use. It is never disposed: its handle would release it, but it must outlive every
/// session, so it is kept until the process exits.
/// </remarks>
public sealed class OrtEnvironment
{
    // OrtLoggingLevel ORT_LOGGING_LEVEL_ERROR: only errors go to stderr. Warnings such as "removing an unused
    // initializer" are about the model file, not the server, and would clutter every load.
    private const int LoggingLevelError = 3;

    private static readonly Lock _createLock = new();
    private static OrtEnvironment? _shared;

    private OrtEnvironment(OrtEnvHandle handle)
    {
        Handle = handle;
    }

    /// <summary>The environment, created on first use with log id "modelhost" and warning-level logging.</summary>
    /// <exception cref="OnnxRuntimeLibraryException">The native library could not be loaded.</exception>
    /// <exception cref="OrtException">ONNX Runtime could not create the environment.</exception>
    public static OrtEnvironment Shared => Volatile.Read(ref _shared) ?? CreateShared();

    /// <summary>The version of the loaded ONNX Runtime library, e.g. "1.30.0".</summary>
    public string Version => OrtApi.VersionString;

    internal OrtEnvHandle Handle { get; }

    private static unsafe OrtEnvironment CreateShared()
    {
        lock (_createLock)
        {
            if (_shared is { } existing)
            {
                return existing;
            }

            nint env;
            fixed (byte* logId = "modelhost\0"u8)
            {
                env = NativeMethods.CreateEnv(LoggingLevelError, logId);
            }

            // The new OrtEnv is owned by this handle from here on.
            var created = new OrtEnvironment(new OrtEnvHandle(env));
            Volatile.Write(ref _shared, created);
            return created;
        }
    }
}
