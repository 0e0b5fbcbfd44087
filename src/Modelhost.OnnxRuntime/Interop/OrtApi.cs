using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Modelhost.OnnxRuntime;

/// <summary>Loads the library once per process and caches its <c>OrtApi</c> function table.</summary>
/// <remarks>
/// Not a static constructor: a failure there would surface as <see cref="TypeInitializationException"/>, while
/// callers should see the <see cref="OnnxRuntimeLibraryException"/> that says what to fix. A failure is cached and
/// rethrown, because the process cannot load a different library later anyway.
/// </remarks>
internal static unsafe class OrtApi
{
    /// <summary>
    /// The C API version asked of <c>OrtApiBase::GetApi</c> (ONNX Runtime 1.22). Versions are cumulative, and every
    /// function in <see cref="OrtApiIndex"/> exists at this version.
    /// </summary>
    internal const uint RequestedApiVersion = 22;

    private static readonly Lock _loadLock = new();
    private static nint _table;
    private static string? _versionString;
    private static ExceptionDispatchInfo? _loadFailure;

    /// <summary>The <c>const OrtApi*</c>; loads the library on first use.</summary>
    internal static nint Table
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            nint table = Volatile.Read(ref _table);
            return table != 0 ? table : Load();
        }
    }

    /// <summary>The library's own version, e.g. "1.30.0".</summary>
    internal static string VersionString
    {
        get
        {
            _ = Table;
            return _versionString!;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint Load()
    {
        lock (_loadLock)
        {
            if (_table != 0)
            {
                return _table;
            }

            _loadFailure?.Throw();
            try
            {
                OrtLibrary library = OrtLibraryResolver.Load();
                nint table = GetApiTable(library, RequestedApiVersion, out string version);
                _versionString = version;
                Volatile.Write(ref _table, table);
                return table;
            }
            catch (OnnxRuntimeLibraryException e)
            {
                _loadFailure = ExceptionDispatchInfo.Capture(e);
                throw;
            }
        }
    }

    /// <summary>Calls <c>OrtGetApiBase()->GetApi(version)</c>; throws if the library is too old to provide it.</summary>
    /// <remarks>The table is static data inside the library: borrowed, valid while the library is loaded, never freed.</remarks>
    internal static nint GetApiTable(OrtLibrary library, uint version, out string versionString)
    {
        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
        nint* apiBase = ((delegate* unmanaged<nint*>)library.GetApiBase)();
        var getApi = (delegate* unmanaged<uint, nint>)apiBase[0];
        var getVersionString = (delegate* unmanaged<byte*>)apiBase[1];

        versionString = Marshal.PtrToStringUTF8((nint)getVersionString()) ?? "unknown";
        nint table = getApi(version);
        if (table == 0)
        {
            throw new OnnxRuntimeLibraryException(
                $"The ONNX Runtime library '{library.Path}' is version {versionString}, which does not provide C API version {version}. " +
                $"Modelhost needs ONNX Runtime 1.{version} or later; point the {OrtLibraryResolver.OverrideVariable} environment variable at a newer library.");
        }

        return table;
    }
}
