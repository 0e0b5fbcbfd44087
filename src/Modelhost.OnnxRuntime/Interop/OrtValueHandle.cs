using System.Buffers;

namespace Modelhost.OnnxRuntime;

/// <summary>Owns an <c>OrtValue*</c>, and the pin on the managed buffer it reads when it was created over one.</summary>
/// <remarks>
/// The pin lives here rather than in <see cref="OrtValue"/> so that it is dropped only after <c>ReleaseValue</c>:
/// a run on another thread can hold a reference to this handle past <see cref="OrtValue.Dispose"/>, and the native
/// value must never see its buffer move or be collected.
/// </remarks>
internal sealed class OrtValueHandle : OrtSafeHandle
{
    private MemoryHandle _pin;

    internal OrtValueHandle(nint ownedHandle)
        : base(ownedHandle)
    {
    }

    /// <summary>Takes ownership of both the native value and the pin on the buffer it was created over.</summary>
    internal OrtValueHandle(nint ownedHandle, MemoryHandle pin)
        : base(ownedHandle)
    {
        _pin = pin;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.ReleaseValue(handle);
        _pin.Dispose();
        return true;
    }
}
