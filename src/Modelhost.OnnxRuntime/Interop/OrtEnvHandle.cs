namespace Modelhost.OnnxRuntime;

/// <summary>Owns an <c>OrtEnv*</c>; releases it with <c>ReleaseEnv</c>.</summary>
internal sealed class OrtEnvHandle : OrtSafeHandle
{
    internal OrtEnvHandle(nint ownedHandle)
        : base(ownedHandle)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.ReleaseEnv(handle);
        return true;
    }
}
