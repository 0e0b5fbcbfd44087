namespace Modelhost.OnnxRuntime;

/// <summary>Owns an <c>OrtSessionOptions*</c>; releases it with <c>ReleaseSessionOptions</c>.</summary>
internal sealed class OrtSessionOptionsHandle : OrtSafeHandle
{
    internal OrtSessionOptionsHandle(nint ownedHandle)
        : base(ownedHandle)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.ReleaseSessionOptions(handle);
        return true;
    }
}
