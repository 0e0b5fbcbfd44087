namespace Modelhost.OnnxRuntime;

/// <summary>Process-wide CPU memory description and allocator, created on first use and kept until exit.</summary>
internal static class OrtCpuMemory
{
    // enum OrtAllocatorType / OrtMemType in onnxruntime_c_api.h; the same pair ORT's own C# binding uses for CPU tensors.
    private const int OrtArenaAllocator = 1;
    private const int OrtMemTypeDefault = 0;

    private static OrtMemoryInfoHandle? _info;
    private static nint _defaultAllocator;

    /// <summary>
    /// Describes managed buffers handed to <c>CreateTensorWithDataAsOrtValue</c>. ORT copies the description into each
    /// tensor, so one owned instance serves every call; it is never disposed, so it lives until the process exits.
    /// </summary>
    internal static nint Info
    {
        get
        {
            OrtMemoryInfoHandle? info = Volatile.Read(ref _info);
            if (info is null)
            {
                var created = new OrtMemoryInfoHandle(NativeMethods.CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault));
                info = Interlocked.CompareExchange(ref _info, created, null);
                if (info is null)
                {
                    info = created;
                }
                else
                {
                    created.Dispose();
                }
            }

            return info.DangerousGetHandle();
        }
    }

    /// <summary>ORT's default CPU allocator. Borrowed: ORT owns it and documents that it must never be freed.</summary>
    internal static nint DefaultAllocator
    {
        get
        {
            nint allocator = Volatile.Read(ref _defaultAllocator);
            if (allocator == 0)
            {
                // Always the same pointer, so a racing second call stores the same value.
                allocator = NativeMethods.GetAllocatorWithDefaultOptions();
                Volatile.Write(ref _defaultAllocator, allocator);
            }

            return allocator;
        }
    }
}
