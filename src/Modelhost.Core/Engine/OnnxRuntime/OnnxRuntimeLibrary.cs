using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Modelhost.Core.Engine.OnnxRuntime;

/// <summary>
/// Points ONNX Runtime's managed API at a native library of the operator's choosing, named by the
/// <c>MODELHOST_ONNXRUNTIME</c> environment variable; without it, the package's own library is used.
/// </summary>
/// <remarks>
/// The managed API imports everything from "onnxruntime" and registers its own import resolver unless
/// <see cref="OrtEnv.DisableDllImportResolver"/> is set first; so the override turns that off and registers one that
/// hands back the library loaded here. This must happen before any other use of ONNX Runtime in the process.
/// </remarks>
internal static class OnnxRuntimeLibrary
{
    /// <summary>The environment variable that names the library to use, as a full path.</summary>
    public const string OverrideVariable = "MODELHOST_ONNXRUNTIME";

    private const string ImportName = "onnxruntime";
    private const string ExportName = "OrtGetApiBase";

    /// <summary>The file name of ONNX Runtime's shared library on this platform.</summary>
    public static string LibraryFileName { get; } =
        OperatingSystem.IsWindows() ? "onnxruntime.dll"
        : OperatingSystem.IsMacOS() ? "libonnxruntime.dylib"
        : "libonnxruntime.so";

    /// <summary>Applies <see cref="OverrideVariable"/> if it is set; does nothing otherwise.</summary>
    /// <exception cref="EngineLibraryException">The named library cannot be loaded, or is not ONNX Runtime.</exception>
    public static void ApplyOverride()
    {
        var path = Environment.GetEnvironmentVariable(OverrideVariable);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        if (!TryLoad(path, out var handle, out var reason))
        {
            throw new EngineLibraryException(
                $"Could not load the ONNX Runtime library '{path}' named by the {OverrideVariable} environment variable: {reason} " +
                $"Point {OverrideVariable} at an ONNX Runtime shared library ({LibraryFileName}), or unset it to use the one shipped with Modelhost.");
        }

        OrtEnv.DisableDllImportResolver = true;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, (name, _, _) => name == ImportName ? handle : 0);
        }
        catch (InvalidOperationException ex)
        {
            throw new EngineLibraryException(
                $"Could not use the ONNX Runtime library '{path}' named by the {OverrideVariable} environment variable: ONNX Runtime was already loaded in this process.", ex);
        }
    }

    /// <summary>Loads a library and checks that it exports <c>OrtGetApiBase</c>; the reason is one line when it fails.</summary>
    public static bool TryLoad(string path, out nint handle, [NotNullWhen(false)] out string? reason)
    {
        handle = 0;

        // The loader's message for a missing file is long and generic; say it plainly instead.
        if (!File.Exists(path))
        {
            reason = "the file does not exist.";
            return false;
        }

        try
        {
            handle = NativeLibrary.Load(path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            // The loader's message spans lines (its advice, then dlerror's text).
            reason = OnnxRuntimeErrors.OneLine(ex.Message);
            return false;
        }

        if (!NativeLibrary.TryGetExport(handle, ExportName, out _))
        {
            NativeLibrary.Free(handle);
            handle = 0;
            reason = $"the library loaded but does not export {ExportName}, so it is not ONNX Runtime.";
            return false;
        }

        reason = null;
        return true;
    }
}
