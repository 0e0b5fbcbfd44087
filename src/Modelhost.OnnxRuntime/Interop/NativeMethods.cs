using System.Runtime.CompilerServices;

namespace Modelhost.OnnxRuntime;

/// <summary>Typed calls into the <c>OrtApi</c> function table, one method per C function used.</summary>
/// <remarks>
/// Each call reads its function pointer from the table at <c>index * sizeof(void*)</c>; the table itself is cached by
/// <see cref="OrtApi"/>. Calls that return an <c>OrtStatus*</c> go through <see cref="OrtStatusChecker.ThrowIfError"/>
/// here, so no caller can forget the check or leak the status. Pointers returned from <c>Create*</c> calls are owned
/// by the caller, which must wrap them in their <see cref="OrtSafeHandle"/> straight away.
/// Signatures follow onnxruntime_c_api.h: enums are C <c>int</c>, <c>size_t</c> is <see cref="nuint"/>.
/// </remarks>
internal static unsafe class NativeMethods
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void* Fn(int index) => ((void**)OrtApi.Table)[index];

    // Status: these three are not status-returning, they are how statuses are read and freed.

    internal static nint CreateStatus(OrtErrorCode code, byte* message)
        => ((delegate* unmanaged<int, byte*, nint>)Fn(OrtApiIndex.CreateStatus))((int)code, message);

    internal static OrtErrorCode GetErrorCode(nint status)
        => (OrtErrorCode)((delegate* unmanaged<nint, int>)Fn(OrtApiIndex.GetErrorCode))(status);

    internal static byte* GetErrorMessage(nint status)
        => ((delegate* unmanaged<nint, byte*>)Fn(OrtApiIndex.GetErrorMessage))(status);

    internal static void ReleaseStatus(nint status)
        => ((delegate* unmanaged<nint, void>)Fn(OrtApiIndex.ReleaseStatus))(status);

    // Environment

    internal static nint CreateEnv(int logSeverityLevel, byte* logId)
    {
        nint env;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<int, byte*, nint*, nint>)Fn(OrtApiIndex.CreateEnv))(logSeverityLevel, logId, &env));
        return env;
    }

    internal static void ReleaseEnv(nint env)
        => ((delegate* unmanaged<nint, void>)Fn(OrtApiIndex.ReleaseEnv))(env);

    // Session options

    internal static nint CreateSessionOptions()
    {
        nint options;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint*, nint>)Fn(OrtApiIndex.CreateSessionOptions))(&options));
        return options;
    }

    internal static void SetSessionGraphOptimizationLevel(nint options, int level)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, int, nint>)Fn(OrtApiIndex.SetSessionGraphOptimizationLevel))(options, level));

    internal static void SetIntraOpNumThreads(nint options, int threads)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, int, nint>)Fn(OrtApiIndex.SetIntraOpNumThreads))(options, threads));

    internal static void SetInterOpNumThreads(nint options, int threads)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, int, nint>)Fn(OrtApiIndex.SetInterOpNumThreads))(options, threads));

    internal static void AddSessionConfigEntry(nint options, byte* key, byte* value)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, byte*, byte*, nint>)Fn(OrtApiIndex.AddSessionConfigEntry))(options, key, value));

    internal static void ReleaseSessionOptions(nint options)
        => ((delegate* unmanaged<nint, void>)Fn(OrtApiIndex.ReleaseSessionOptions))(options);

    // Session

    internal static nint CreateSessionFromArray(nint env, void* modelData, nuint modelDataLength, nint options)
    {
        nint session;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, void*, nuint, nint, nint*, nint>)Fn(OrtApiIndex.CreateSessionFromArray))(
                env, modelData, modelDataLength, options, &session));
        return session;
    }

    internal static void ReleaseSession(nint session)
        => ((delegate* unmanaged<nint, void>)Fn(OrtApiIndex.ReleaseSession))(session);

    internal static nuint SessionGetInputCount(nint session)
    {
        nuint count;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint*, nint>)Fn(OrtApiIndex.SessionGetInputCount))(session, &count));
        return count;
    }

    internal static nuint SessionGetOutputCount(nint session)
    {
        nuint count;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint*, nint>)Fn(OrtApiIndex.SessionGetOutputCount))(session, &count));
        return count;
    }

    internal static nint SessionGetInputTypeInfo(nint session, nuint index)
    {
        nint typeInfo;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint, nint*, nint>)Fn(OrtApiIndex.SessionGetInputTypeInfo))(session, index, &typeInfo));
        return typeInfo;
    }

    internal static nint SessionGetOutputTypeInfo(nint session, nuint index)
    {
        nint typeInfo;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint, nint*, nint>)Fn(OrtApiIndex.SessionGetOutputTypeInfo))(session, index, &typeInfo));
        return typeInfo;
    }

    /// <summary>Returns a UTF-8 string allocated with <paramref name="allocator"/>; free it with <see cref="AllocatorFree"/>.</summary>
    internal static byte* SessionGetInputName(nint session, nuint index, nint allocator)
    {
        byte* name;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint, nint, byte**, nint>)Fn(OrtApiIndex.SessionGetInputName))(session, index, allocator, &name));
        return name;
    }

    /// <summary>Returns a UTF-8 string allocated with <paramref name="allocator"/>; free it with <see cref="AllocatorFree"/>.</summary>
    internal static byte* SessionGetOutputName(nint session, nuint index, nint allocator)
    {
        byte* name;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint, nint, byte**, nint>)Fn(OrtApiIndex.SessionGetOutputName))(session, index, allocator, &name));
        return name;
    }

    /// <summary>On success ORT has stored an owned <c>OrtValue*</c> in each slot of <paramref name="outputs"/>.</summary>
    internal static void Run(
        nint session,
        nint runOptions,
        nint* inputNames,
        nint* inputs,
        nuint inputCount,
        nint* outputNames,
        nuint outputCount,
        nint* outputs)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nint, nint*, nint*, nuint, nint*, nuint, nint*, nint>)Fn(OrtApiIndex.Run))(
                session, runOptions, inputNames, inputs, inputCount, outputNames, outputCount, outputs));

    // Run options

    internal static nint CreateRunOptions()
    {
        nint runOptions;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint*, nint>)Fn(OrtApiIndex.CreateRunOptions))(&runOptions));
        return runOptions;
    }

    internal static void RunOptionsSetTerminate(nint runOptions)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nint>)Fn(OrtApiIndex.RunOptionsSetTerminate))(runOptions));

    internal static void ReleaseRunOptions(nint runOptions)
        => ((delegate* unmanaged<nint, void>)Fn(OrtApiIndex.ReleaseRunOptions))(runOptions);

    // Type information

    internal static int GetOnnxTypeFromTypeInfo(nint typeInfo)
    {
        int onnxType;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, int*, nint>)Fn(OrtApiIndex.GetOnnxTypeFromTypeInfo))(typeInfo, &onnxType));
        return onnxType;
    }

    /// <summary>Returns a pointer borrowed from <paramref name="typeInfo"/> (null if it is not a tensor); never release it.</summary>
    internal static nint CastTypeInfoToTensorInfo(nint typeInfo)
    {
        nint tensorInfo;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nint*, nint>)Fn(OrtApiIndex.CastTypeInfoToTensorInfo))(typeInfo, &tensorInfo));
        return tensorInfo;
    }

    internal static void ReleaseTypeInfo(nint typeInfo)
        => ((delegate* unmanaged<nint, void>)Fn(OrtApiIndex.ReleaseTypeInfo))(typeInfo);

    internal static int GetTensorElementType(nint tensorInfo)
    {
        int elementType;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, int*, nint>)Fn(OrtApiIndex.GetTensorElementType))(tensorInfo, &elementType));
        return elementType;
    }

    internal static nuint GetDimensionsCount(nint tensorInfo)
    {
        nuint count;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint*, nint>)Fn(OrtApiIndex.GetDimensionsCount))(tensorInfo, &count));
        return count;
    }

    internal static void GetDimensions(nint tensorInfo, long* dimensions, nuint count)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, long*, nuint, nint>)Fn(OrtApiIndex.GetDimensions))(tensorInfo, dimensions, count));

    /// <summary>Fills <paramref name="names"/> with UTF-8 strings borrowed from <paramref name="tensorInfo"/>.</summary>
    internal static void GetSymbolicDimensions(nint tensorInfo, byte** names, nuint count)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, byte**, nuint, nint>)Fn(OrtApiIndex.GetSymbolicDimensions))(tensorInfo, names, count));

    internal static nuint GetTensorShapeElementCount(nint tensorInfo)
    {
        nuint count;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint*, nint>)Fn(OrtApiIndex.GetTensorShapeElementCount))(tensorInfo, &count));
        return count;
    }

    internal static void ReleaseTensorTypeAndShapeInfo(nint tensorInfo)
        => ((delegate* unmanaged<nint, void>)Fn(OrtApiIndex.ReleaseTensorTypeAndShapeInfo))(tensorInfo);

    // Memory

    internal static nint CreateCpuMemoryInfo(int allocatorType, int memoryType)
    {
        nint memoryInfo;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<int, int, nint*, nint>)Fn(OrtApiIndex.CreateCpuMemoryInfo))(allocatorType, memoryType, &memoryInfo));
        return memoryInfo;
    }

    internal static void ReleaseMemoryInfo(nint memoryInfo)
        => ((delegate* unmanaged<nint, void>)Fn(OrtApiIndex.ReleaseMemoryInfo))(memoryInfo);

    /// <summary>Returns ORT's process-wide CPU allocator, which is borrowed: ORT documents that it must not be freed.</summary>
    internal static nint GetAllocatorWithDefaultOptions()
    {
        nint allocator;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint*, nint>)Fn(OrtApiIndex.GetAllocatorWithDefaultOptions))(&allocator));
        return allocator;
    }

    internal static void AllocatorFree(nint allocator, void* pointer)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, void*, nint>)Fn(OrtApiIndex.AllocatorFree))(allocator, pointer));

    // Values

    internal static nint CreateTensorAsOrtValue(nint allocator, long* shape, nuint shapeLength, int elementType)
    {
        nint value;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, long*, nuint, int, nint*, nint>)Fn(OrtApiIndex.CreateTensorAsOrtValue))(
                allocator, shape, shapeLength, elementType, &value));
        return value;
    }

    /// <summary>The returned value reads and writes <paramref name="data"/> in place; it must stay valid until the value is released.</summary>
    internal static nint CreateTensorWithDataAsOrtValue(
        nint memoryInfo,
        void* data,
        nuint dataLength,
        long* shape,
        nuint shapeLength,
        int elementType)
    {
        nint value;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint>)Fn(OrtApiIndex.CreateTensorWithDataAsOrtValue))(
                memoryInfo, data, dataLength, shape, shapeLength, elementType, &value));
        return value;
    }

    internal static bool IsTensor(nint value)
    {
        int isTensor;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, int*, nint>)Fn(OrtApiIndex.IsTensor))(value, &isTensor));
        return isTensor != 0;
    }

    /// <summary>Returns the tensor's buffer, borrowed from <paramref name="value"/>.</summary>
    internal static void* GetTensorMutableData(nint value)
    {
        void* data;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, void**, nint>)Fn(OrtApiIndex.GetTensorMutableData))(value, &data));
        return data;
    }

    internal static nint GetTensorTypeAndShape(nint value)
    {
        nint tensorInfo;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nint*, nint>)Fn(OrtApiIndex.GetTensorTypeAndShape))(value, &tensorInfo));
        return tensorInfo;
    }

    internal static nuint GetStringTensorDataLength(nint value)
    {
        nuint length;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint*, nint>)Fn(OrtApiIndex.GetStringTensorDataLength))(value, &length));
        return length;
    }

    internal static void GetStringTensorContent(nint value, byte* data, nuint dataLength, nuint* offsets, nuint offsetsLength)
        => OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, byte*, nuint, nuint*, nuint, nint>)Fn(OrtApiIndex.GetStringTensorContent))(
                value, data, dataLength, offsets, offsetsLength));

    /// <summary>Resizes element <paramref name="index"/> and returns its buffer, borrowed from <paramref name="value"/>.</summary>
    internal static byte* GetResizedStringTensorElementBuffer(nint value, nuint index, nuint length)
    {
        byte* buffer;
        OrtStatusChecker.ThrowIfError(
            ((delegate* unmanaged<nint, nuint, nuint, byte**, nint>)Fn(OrtApiIndex.GetResizedStringTensorElementBuffer))(
                value, index, length, &buffer));
        return buffer;
    }

    internal static void ReleaseValue(nint value)
        => ((delegate* unmanaged<nint, void>)Fn(OrtApiIndex.ReleaseValue))(value);
}
