using Modelhost.Core.Engine.OnnxRuntime;

namespace Modelhost.Core.Tests.Engine;

/// <summary>
/// The checks behind <c>MODELHOST_ONNXRUNTIME</c>. Registering the library for real can happen once per process, before
/// ONNX Runtime is first used, so that path is tested through the CLI (ServeCommandTests); these test the loading.
/// </summary>
public sealed class OnnxRuntimeLibraryTests
{
    private static readonly string ShippedLibrary =
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", OnnxRuntimeLibrary.LibraryFileName);

    [Fact]
    public void A_missing_file_fails_saying_so()
    {
        Assert.False(OnnxRuntimeLibrary.TryLoad("/nonexistent/modelhost/libonnxruntime.so", out _, out var reason));

        Assert.Equal("the file does not exist.", reason);
    }

    [Fact]
    public void A_file_that_is_not_a_library_fails_with_the_loaders_reason_on_one_line()
    {
        var notALibrary = Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "model.onnx");

        Assert.False(OnnxRuntimeLibrary.TryLoad(notALibrary, out _, out var reason));

        Assert.DoesNotContain("does not exist", reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', reason);
    }

    [Fact]
    public void A_library_without_OrtGetApiBase_is_not_onnx_runtime()
    {
        // The C math library; its path is Debian's and Ubuntu's.
        const string libm = "/lib/x86_64-linux-gnu/libm.so.6";
        if (!OperatingSystem.IsLinux() || !File.Exists(libm))
        {
            return;
        }

        Assert.False(OnnxRuntimeLibrary.TryLoad(libm, out _, out var reason));

        Assert.Contains("OrtGetApiBase", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_library_shipped_with_modelhost_loads()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(ShippedLibrary))
        {
            // The build keeps only this machine's library; the path above is the one for Linux x64.
            return;
        }

        Assert.True(OnnxRuntimeLibrary.TryLoad(ShippedLibrary, out var handle, out _));
        Assert.NotEqual(0, handle);
    }
}
