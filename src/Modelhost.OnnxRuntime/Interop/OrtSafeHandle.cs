using System.Runtime.InteropServices;

namespace Modelhost.OnnxRuntime;

/// <summary>Base for handles to native ORT objects that managed code owns and must release exactly once.</summary>
/// <remarks>
/// Each subclass is constructed with a pointer just returned by an ORT <c>Create*</c> call; from then on the
/// handle, not the caller, is responsible for the matching <c>Release*</c>, including from the finalizer if the
/// owning wrapper is never disposed.
/// </remarks>
internal abstract class OrtSafeHandle : SafeHandle
{
    protected OrtSafeHandle(nint ownedHandle)
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
        SetHandle(ownedHandle);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>
    /// Keeps the native object alive for the duration of a native call, even if another thread disposes the
    /// owner meanwhile; pair with <see cref="SafeHandle.DangerousRelease"/> in a finally block.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The handle has already been closed.</exception>
    internal nint AddRefForCall()
    {
        bool added = false;
        DangerousAddRef(ref added);
        return handle;
    }
}
