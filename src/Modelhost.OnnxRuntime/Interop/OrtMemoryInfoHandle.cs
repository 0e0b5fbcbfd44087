namespace Modelhost.OnnxRuntime;

/// <summary>Owns an <c>OrtMemoryInfo*</c>; releases it with <c>ReleaseMemoryInfo</c>.</summary>
internal sealed class OrtMemoryInfoHandle : OrtSafeHandle
{
    internal OrtMemoryInfoHandle(nint ownedHandle)
        : base(ownedHandle)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.ReleaseMemoryInfo(handle);
        return true;
    }
}
