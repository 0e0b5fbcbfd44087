namespace Modelhost.OnnxRuntime;

/// <summary>Owns an <c>OrtTensorTypeAndShapeInfo*</c>; releases it with <c>ReleaseTensorTypeAndShapeInfo</c>.</summary>
internal sealed class OrtTensorTypeAndShapeInfoHandle : OrtSafeHandle
{
    internal OrtTensorTypeAndShapeInfoHandle(nint ownedHandle)
        : base(ownedHandle)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.ReleaseTensorTypeAndShapeInfo(handle);
        return true;
    }
}
