namespace Modelhost.OnnxRuntime;

/// <summary>Owns an <c>OrtSession*</c>; releases it with <c>ReleaseSession</c>.</summary>
internal sealed class OrtSessionHandle : OrtSafeHandle
{
    internal OrtSessionHandle(nint ownedHandle)
        : base(ownedHandle)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.ReleaseSession(handle);
        return true;
    }
}
