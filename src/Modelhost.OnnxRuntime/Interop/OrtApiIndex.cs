namespace Modelhost.OnnxRuntime;

/// <summary>0-based slots of the function pointers in the C API's <c>OrtApi</c> struct.</summary>
/// <remarks>
/// The struct is append-only across releases, so a slot never moves. Every slot used here exists in
/// <see cref="OrtApi.RequestedApiVersion"/>; the highest one (GetResizedStringTensorElementBuffer) arrived in API 15.
/// </remarks>
internal static class OrtApiIndex
{
    internal const int CreateStatus = 0;
    internal const int GetErrorCode = 1;
    internal const int GetErrorMessage = 2;
    internal const int CreateEnv = 3;
    internal const int CreateSessionFromArray = 8;
    internal const int Run = 9;
    internal const int CreateSessionOptions = 10;
    internal const int SetSessionGraphOptimizationLevel = 23;
    internal const int SetIntraOpNumThreads = 24;
    internal const int SetInterOpNumThreads = 25;
    internal const int SessionGetInputCount = 30;
    internal const int SessionGetOutputCount = 31;
    internal const int SessionGetInputTypeInfo = 33;
    internal const int SessionGetOutputTypeInfo = 34;
    internal const int SessionGetInputName = 36;
    internal const int SessionGetOutputName = 37;
    internal const int CreateRunOptions = 39;
    internal const int RunOptionsSetTerminate = 46;
    internal const int CreateTensorAsOrtValue = 48;
    internal const int CreateTensorWithDataAsOrtValue = 49;
    internal const int IsTensor = 50;
    internal const int GetTensorMutableData = 51;
    internal const int GetStringTensorDataLength = 53;
    internal const int GetStringTensorContent = 54;
    internal const int CastTypeInfoToTensorInfo = 55;
    internal const int GetOnnxTypeFromTypeInfo = 56;
    internal const int GetTensorElementType = 60;
    internal const int GetDimensionsCount = 61;
    internal const int GetDimensions = 62;
    internal const int GetSymbolicDimensions = 63;
    internal const int GetTensorShapeElementCount = 64;
    internal const int GetTensorTypeAndShape = 65;
    internal const int CreateCpuMemoryInfo = 69;
    internal const int AllocatorFree = 76;
    internal const int GetAllocatorWithDefaultOptions = 78;
    internal const int ReleaseEnv = 92;
    internal const int ReleaseStatus = 93;
    internal const int ReleaseMemoryInfo = 94;
    internal const int ReleaseSession = 95;
    internal const int ReleaseValue = 96;
    internal const int ReleaseRunOptions = 97;
    internal const int ReleaseTypeInfo = 98;
    internal const int ReleaseTensorTypeAndShapeInfo = 99;
    internal const int ReleaseSessionOptions = 100;
    internal const int AddSessionConfigEntry = 130;
    internal const int GetResizedStringTensorElementBuffer = 252;
}
