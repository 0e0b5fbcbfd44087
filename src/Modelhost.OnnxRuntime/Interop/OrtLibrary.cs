namespace Modelhost.OnnxRuntime;

/// <summary>An ONNX Runtime shared library that loaded and exports <c>OrtGetApiBase</c>.</summary>
/// <param name="Path">What was passed to the loader: a full path, or the plain file name for a system search.</param>
/// <param name="Handle">The loader's handle; the library stays loaded for the life of the process.</param>
/// <param name="GetApiBase">The address of <c>OrtGetApiBase</c>.</param>
internal readonly record struct OrtLibrary(string Path, nint Handle, nint GetApiBase);
