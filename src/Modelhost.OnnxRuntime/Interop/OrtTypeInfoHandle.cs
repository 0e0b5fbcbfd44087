namespace Modelhost.OnnxRuntime;

/// <summary>Owns an <c>OrtTypeInfo*</c>; releases it with <c>ReleaseTypeInfo</c>.</summary>
internal sealed class OrtTypeInfoHandle : OrtSafeHandle
{
    internal OrtTypeInfoHandle(nint ownedHandle)
        : base(ownedHandle)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.ReleaseTypeInfo(handle);
        return true;
    }
}
