using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace Modelhost.OnnxRuntime;

/// <summary>Finds and loads the ONNX Runtime shared library.</summary>
/// <remarks>
/// Resolution is done here rather than by <c>[LibraryImport]</c> so that a failure can name every place that was
/// tried and why, and so that an explicit override never silently falls back to another copy. The resolver is pure
/// apart from the loader, which lets tests drive it with their own override and candidates.
/// </remarks>
internal static class OrtLibraryResolver
{
    /// <summary>The environment variable that names the library to use, as a full path.</summary>
    internal const string OverrideVariable = "MODELHOST_ONNXRUNTIME";

    private const string ExportName = "OrtGetApiBase";

    /// <summary>The file name the build puts next to the application (see OnnxRuntimeNative.targets).</summary>
    internal static string LibraryFileName { get; } =
        OperatingSystem.IsWindows() ? "onnxruntime.dll"
        : OperatingSystem.IsMacOS() ? "libonnxruntime.1.dylib"
        : "libonnxruntime.so.1";

    /// <summary>Loads the library from the override variable or else the default candidates; throws if that fails.</summary>
    internal static OrtLibrary Load()
    {
        if (!TryResolve(Environment.GetEnvironmentVariable(OverrideVariable), DefaultCandidates(), out OrtLibrary library, out OnnxRuntimeLibraryException? error))
        {
            throw error;
        }

        return library;
    }

    /// <summary>
    /// The places to look, in order: the application's directory, this assembly's directory, then the plain file
    /// name so the system loader searches its usual paths.
    /// </summary>
    internal static List<string> DefaultCandidates()
    {
        var candidates = new List<string>(3) { Path.Combine(AppContext.BaseDirectory, LibraryFileName) };

        // Empty for single-file apps, where the assembly has no directory of its own.
        string? assemblyDirectory = Path.GetDirectoryName(typeof(OrtLibraryResolver).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory))
        {
            string besideAssembly = Path.Combine(assemblyDirectory, LibraryFileName);
            if (!string.Equals(Path.GetFullPath(besideAssembly), Path.GetFullPath(candidates[0]), StringComparison.Ordinal))
            {
                candidates.Add(besideAssembly);
            }
        }

        candidates.Add(LibraryFileName);
        return candidates;
    }

    /// <summary>Loads the first usable library: the override if one is given (and nothing else), otherwise the first candidate that works.</summary>
    /// <param name="overridePath">The value of <see cref="OverrideVariable"/>; null or empty when unset.</param>
    /// <param name="candidates">Full paths, or a plain file name for the system search, tried in order.</param>
    /// <param name="library">The loaded library on success.</param>
    /// <param name="error">On failure, an exception naming every path tried and the loader's reason for each.</param>
    internal static bool TryResolve(
        string? overridePath,
        IReadOnlyList<string> candidates,
        out OrtLibrary library,
        [NotNullWhen(false)] out OnnxRuntimeLibraryException? error)
    {
        if (!string.IsNullOrEmpty(overridePath))
        {
            // An explicit choice that fails is an error: falling back would run a library the operator did not ask for.
            if (TryLoadCandidate(overridePath, out library, out string? overrideReason))
            {
                error = null;
                return true;
            }

            error = new OnnxRuntimeLibraryException(
                $"Could not load the ONNX Runtime library '{overridePath}' named by the {OverrideVariable} environment variable: {overrideReason} " +
                $"Point {OverrideVariable} at an ONNX Runtime shared library ({LibraryFileName}), or unset it to use the one shipped with Modelhost.");
            return false;
        }

        var message = new StringBuilder("Could not load the ONNX Runtime library. Tried:");
        foreach (string candidate in candidates)
        {
            if (TryLoadCandidate(candidate, out library, out string? reason))
            {
                error = null;
                return true;
            }

            message.Append(Environment.NewLine).Append("  - ").Append(candidate);
            if (!Path.IsPathFullyQualified(candidate))
            {
                message.Append(" (system library search)");
            }

            message.Append(": ").Append(reason);
        }

        message.Append(Environment.NewLine)
            .Append($"Set the {OverrideVariable} environment variable to the full path of an ONNX Runtime shared library ({LibraryFileName}) to use a specific one.");
        library = default;
        error = new OnnxRuntimeLibraryException(message.ToString());
        return false;
    }

    private static bool TryLoadCandidate(string path, out OrtLibrary library, [NotNullWhen(false)] out string? reason)
    {
        library = default;

        // The loader's message for a missing file is long and generic; say it plainly instead.
        if (Path.IsPathFullyQualified(path) && !File.Exists(path))
        {
            reason = "the file does not exist.";
            return false;
        }

        if (!NativeLibrary.TryLoad(path, out nint handle))
        {
            reason = LoaderReason(path);
            return false;
        }

        if (!NativeLibrary.TryGetExport(handle, ExportName, out nint getApiBase))
        {
            NativeLibrary.Free(handle);
            reason = $"the library loaded but does not export {ExportName}, so it is not ONNX Runtime.";
            return false;
        }

        library = new OrtLibrary(path, handle, getApiBase);
        reason = null;
        return true;
    }

    /// <summary>Asks the loader again, this time for its error message, which <see cref="NativeLibrary.TryLoad(string, out nint)"/> drops.</summary>
    private static string LoaderReason(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "the loader refused it the first time but not the second; no reason is available.";
        }
        catch (DllNotFoundException e)
        {
            return OneLine(e.Message);
        }
        catch (BadImageFormatException e)
        {
            return OneLine(e.Message);
        }
    }

    // The loader's message spans lines (its advice, then dlerror's text); keep one line per candidate in the list.
    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
