namespace Modelhost.OnnxRuntime;

/// <summary>Owns an <c>OrtRunOptions*</c>; releases it with <c>ReleaseRunOptions</c>.</summary>
internal sealed class OrtRunOptionsHandle : OrtSafeHandle
{
    internal OrtRunOptionsHandle(nint ownedHandle)
        : base(ownedHandle)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.ReleaseRunOptions(handle);
        return true;
    }
}
