namespace Modelhost.OnnxRuntime;

/// <summary>Settings for <see cref="InferenceSession.Create"/>; read once, when the session is created.</summary>
public sealed class SessionOptions
{
    /// <summary>Threads used within one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int IntraOpThreads
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>Threads used to run independent operators in parallel; 0 lets ONNX Runtime choose.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int InterOpThreads
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>How much the graph is optimized at load; <see cref="GraphOptimizationLevel.All"/> by default.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.All;

    /// <summary>
    /// Whether ONNX Runtime's worker threads spin while waiting for work. Off by default: spinning lowers latency
    /// slightly but keeps cores busy on an idle server.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Creates the native options these settings describe; the caller owns and disposes the result.</summary>
    internal unsafe OrtSessionOptionsHandle CreateNative()
    {
        // The new OrtSessionOptions is owned by this handle from here on.
        var native = new OrtSessionOptionsHandle(NativeMethods.CreateSessionOptions());
        try
        {
            // The handle is local to session creation, so no other thread can release it under these calls.
            nint options = native.DangerousGetHandle();
            NativeMethods.SetIntraOpNumThreads(options, IntraOpThreads);
            NativeMethods.SetInterOpNumThreads(options, InterOpThreads);
            NativeMethods.SetSessionGraphOptimizationLevel(options, (int)OptimizationLevel);
            if (!AllowSpinning)
            {
                // ORT reads config values as strings; the literals carry their own NUL terminator for C.
                fixed (byte* intraKey = "session.intra_op.allow_spinning\0"u8)
                fixed (byte* interKey = "session.inter_op.allow_spinning\0"u8)
                fixed (byte* off = "0\0"u8)
                {
                    NativeMethods.AddSessionConfigEntry(options, intraKey, off);
                    NativeMethods.AddSessionConfigEntry(options, interKey, off);
                }
            }

            return native;
        }
        catch
        {
            native.Dispose();
            throw;
        }
    }
}
