namespace Modelhost.OnnxRuntime.Tests;

public sealed class NativeLibraryTests
{
    private static readonly string ShippedLibrary = Path.Combine(AppContext.BaseDirectory, OrtLibraryResolver.LibraryFileName);

    [Fact]
    public void Override_pointing_at_a_missing_file_fails_naming_the_path_and_the_variable()
    {
        const string missing = "/nonexistent/modelhost/libonnxruntime.so.1";

        bool loaded = OrtLibraryResolver.TryResolve(missing, OrtLibraryResolver.DefaultCandidates(), out _, out OnnxRuntimeLibraryException? error);

        Assert.False(loaded);
        Assert.NotNull(error);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("MODELHOST_ONNXRUNTIME", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Override_that_fails_does_not_fall_back_to_a_working_candidate()
    {
        bool loaded = OrtLibraryResolver.TryResolve("/nonexistent/libonnxruntime.so.1", [ShippedLibrary], out _, out OnnxRuntimeLibraryException? error);

        Assert.False(loaded);
        Assert.NotNull(error);
    }

    [Fact]
    public void Override_pointing_at_a_file_that_is_not_a_library_reports_the_loader_reason()
    {
        string notALibrary = Path.Combine(AppContext.BaseDirectory, "fixtures", "iris", "model.onnx");

        bool loaded = OrtLibraryResolver.TryResolve(notALibrary, [], out _, out OnnxRuntimeLibraryException? error);

        Assert.False(loaded);
        Assert.NotNull(error);
        Assert.Contains(notALibrary, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Override_pointing_at_the_library_loads_it()
    {
        bool loaded = OrtLibraryResolver.TryResolve(ShippedLibrary, [], out OrtLibrary library, out _);

        Assert.True(loaded);
        Assert.Equal(ShippedLibrary, library.Path);
        Assert.NotEqual(0, library.GetApiBase);
    }

    [Fact]
    public void Without_an_override_the_first_candidate_that_loads_wins()
    {
        bool loaded = OrtLibraryResolver.TryResolve(null, ["/nonexistent/a.so", ShippedLibrary], out OrtLibrary library, out _);

        Assert.True(loaded);
        Assert.Equal(ShippedLibrary, library.Path);
    }

    [Fact]
    public void When_no_candidate_loads_the_error_lists_every_path_tried_and_the_variable()
    {
        string[] candidates = ["/nonexistent/a/libonnxruntime.so.1", "/nonexistent/b/libonnxruntime.so.1", "libmodelhost-no-such-library.so.7"];

        bool loaded = OrtLibraryResolver.TryResolve("", candidates, out _, out OnnxRuntimeLibraryException? error);

        Assert.False(loaded);
        Assert.NotNull(error);
        foreach (string candidate in candidates)
        {
            Assert.Contains(candidate, error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("system library search", error.Message, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            // The loader's own reason (dlerror) is passed on.
            Assert.Contains("cannot open shared object file", error.Message, StringComparison.Ordinal);
        }
        Assert.Contains("MODELHOST_ONNXRUNTIME", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_without_OrtGetApiBase_is_rejected()
    {
        // xunit 2 cannot skip at run time; the C math library's name is Linux-specific.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        bool loaded = OrtLibraryResolver.TryResolve(null, ["libm.so.6"], out _, out OnnxRuntimeLibraryException? error);

        Assert.False(loaded);
        Assert.Contains("OrtGetApiBase", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_candidates_are_the_app_directory_then_the_plain_name()
    {
        List<string> candidates = OrtLibraryResolver.DefaultCandidates();

        Assert.Equal(ShippedLibrary, candidates[0]);
        Assert.Equal(OrtLibraryResolver.LibraryFileName, candidates[^1]);
    }

    [Fact]
    public void Asking_for_an_API_version_the_library_lacks_fails_with_its_version()
    {
        Assert.True(OrtLibraryResolver.TryResolve(ShippedLibrary, [], out OrtLibrary library, out _));

        OnnxRuntimeLibraryException e = Assert.Throws<OnnxRuntimeLibraryException>(() => OrtApi.GetApiTable(library, 10_000, out _));

        Assert.Contains("1.30.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("10000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_requested_API_version_is_available_from_the_shipped_library()
    {
        Assert.True(OrtLibraryResolver.TryResolve(ShippedLibrary, [], out OrtLibrary library, out _));

        nint table = OrtApi.GetApiTable(library, OrtApi.RequestedApiVersion, out string version);

        Assert.NotEqual(0, table);
        Assert.Equal("1.30.0", version);
    }
}
