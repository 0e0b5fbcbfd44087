using Modelhost.Core.Repository;

namespace Modelhost.Core.Tests.Repository;

public sealed class RepositoryScannerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public RepositoryScannerTests()
    {
        _root = _temp.CreateDirectory("repo");
    }

    public void Dispose() => _temp.Dispose();

    private string Write(string relative, string content = "onnx") => _temp.WriteFile(Path.Combine("repo", relative), content);

    private string Mkdir(string relative) => _temp.CreateDirectory(Path.Combine("repo", relative));

    private static VersionFingerprint FingerprintOf(RepositorySnapshot snapshot, string model, long version)
        => snapshot.Find(model)!.Versions.Single(v => v.Version == version).Fingerprint;

    [Fact]
    public void Scan_finds_models_versions_and_configs_in_order()
    {
        Write("wine/3/model.onnx");
        Write("iris/10/model.onnx");
        Write("iris/2/model.onnx");
        string config = Write("iris/model.yaml", "max_batch_size: 8\n");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Empty(snapshot.Problems);
        Assert.Equal(["iris", "wine"], snapshot.Models.Select(m => m.Name));
        ModelDirectory iris = snapshot.Find("iris")!;
        Assert.Equal(Path.Combine(_root, "iris"), iris.Path);
        Assert.Equal([2L, 10L], iris.Versions.Select(v => v.Version));
        Assert.Equal(Path.Combine(_root, "iris", "2"), iris.Versions[0].Path);
        Assert.Equal(Path.Combine(_root, "iris", "2", "model.onnx"), iris.Versions[0].ModelPath);
        Assert.True(iris.Versions[0].Fingerprint.HasModelFile);
        Assert.Equal(config, iris.ConfigPath);
        Assert.Equal(new FileInfo(config).Length, iris.ConfigFingerprint!.Value.Size);
        Assert.Empty(iris.Problems);
        Assert.Null(snapshot.Find("wine")!.ConfigPath);
        Assert.Null(snapshot.Find("wine")!.ConfigFingerprint);
        Assert.Null(snapshot.Find("IRIS"));
    }

    [Fact]
    public void Scan_lists_forecaster_directories_apart_from_the_models()
    {
        Write("iris/1/model.onnx");
        Write("forecast-DE/1/ets.json", "{}");
        Write("forecast-DE/2/ets.json", "{}");
        Write("forecast-DE/.staging-7-0/ets.json", "{}");

        // One ONNX version makes a directory a model, whatever else its versions hold.
        Write("mixed/1/ets.json", "{}");
        Write("mixed/2/model.onnx");

        // A version with neither file stays a model, which then fails to load and says why.
        Mkdir("empty/1");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Empty(snapshot.Problems);
        Assert.Equal(["empty", "iris", "mixed"], snapshot.Models.Select(m => m.Name));
        ModelDirectory forecaster = Assert.Single(snapshot.Forecasters);
        Assert.Equal("forecast-DE", forecaster.Name);
        Assert.Equal([1L, 2L], forecaster.Versions.Select(v => v.Version));
        Assert.All(forecaster.Versions, v => Assert.True(v.Fingerprint.HasForecasterFile && !v.Fingerprint.HasModelFile));
        Assert.Null(snapshot.Find("forecast-DE"));
    }

    [Fact]
    public void Scan_fingerprints_size_count_and_latest_write_time()
    {
        string model = Write("iris/1/model.onnx", "12345");
        Write("iris/1/data/weights.bin", "123");
        var time = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(model, time);

        VersionFingerprint fingerprint = FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1);

        Assert.Equal(8, fingerprint.TotalBytes);
        Assert.Equal(2, fingerprint.FileCount);
        Assert.True(fingerprint.MaxLastWriteUtcTicks >= time.Ticks);
        Assert.True(fingerprint.HasModelFile);
        Assert.False(fingerprint.IsTruncated);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("00")]
    [InlineData("01")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("v1")]
    [InlineData("1.0")]
    [InlineData("latest")]
    [InlineData("99999999999999999999")]
    public void Scan_skips_and_reports_directories_that_are_not_versions(string name)
    {
        Write("iris/1/model.onnx");
        Write($"iris/{name}/model.onnx");

        ModelDirectory iris = RepositoryScanner.Scan(_root).Find("iris")!;

        Assert.Equal([1L], iris.Versions.Select(v => v.Version));
        string problem = Assert.Single(iris.Problems);
        Assert.StartsWith($"'iris/{name}': ", problem, StringComparison.Ordinal);
        Assert.EndsWith("; skipped", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".1")]
    [InlineData(".staging-7-1")]
    public void Scan_skips_hidden_entries_inside_a_model_without_a_report(string name)
    {
        Write("iris/1/model.onnx");
        Write($"iris/{name}/model.onnx");

        ModelDirectory iris = RepositoryScanner.Scan(_root).Find("iris")!;

        Assert.Equal([1L], iris.Versions.Select(v => v.Version));
        Assert.Empty(iris.Problems);
    }

    [Fact]
    public void Scan_says_why_a_version_name_is_refused()
    {
        Assert.False(RepositoryLayout.TryParseVersion("0", out _, out string? zero));
        Assert.Equal("version 0 is not allowed: versions start at 1", zero);
        Assert.False(RepositoryLayout.TryParseVersion("007", out _, out string? leading));
        Assert.Equal("leading zeros are not allowed in version directory names", leading);
        Assert.False(RepositoryLayout.TryParseVersion("99999999999999999999", out _, out string? large));
        Assert.Equal("the version number is too large", large);
        Assert.True(RepositoryLayout.TryParseVersion("9223372036854775807", out long max, out _));
        Assert.Equal(long.MaxValue, max);
    }

    [Fact]
    public void Scan_ignores_stray_files_in_the_root_and_model_directories()
    {
        Write("README.md", "# models");
        Write("iris/1/model.onnx");
        Write("iris/notes.txt", "hello");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Empty(snapshot.Problems);
        Assert.Empty(snapshot.Find("iris")!.Problems);
        Assert.Equal(["iris"], snapshot.Models.Select(m => m.Name));
    }

    [Fact]
    public void Scan_leaves_out_a_new_model_whose_first_version_is_still_being_staged()
    {
        // A series' first forecaster, mid-publication: the job has made forecast-DE/ and a staging directory in it.
        Write("iris/1/model.onnx");
        Write("forecast-DE/.staging-3cb5cb4f2382773f-2-0/ets.json", "{}");
        Mkdir("new-model/.staging-3cb5cb4f2382773f-4-0");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Equal(["iris"], snapshot.Models.Select(m => m.Name));
        Assert.Empty(snapshot.Forecasters);
        Assert.Empty(snapshot.Problems);

        // Published, it is listed as what it is.
        Directory.Move(Path.Combine(_root, "forecast-DE", ".staging-3cb5cb4f2382773f-2-0"), Path.Combine(_root, "forecast-DE", "1"));
        Assert.Equal("forecast-DE", Assert.Single(RepositoryScanner.Scan(_root).Forecasters).Name);
    }

    [Fact]
    public void Scan_still_lists_a_model_directory_with_a_config_or_a_hidden_file_but_no_versions()
    {
        Write("configured/model.yaml", "max_batch_size: 8\n");
        Write("configured/.staging-7-1-0/model.onnx");
        Write("edited/.model.yaml.swp", "x");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Equal(["configured", "edited"], snapshot.Models.Select(m => m.Name));
        Assert.All(snapshot.Models, m => Assert.Empty(m.Versions));
    }

    [Fact]
    public void Scan_keeps_a_model_without_versions_so_the_caller_can_report_it()
    {
        Mkdir("empty");

        ModelDirectory empty = Assert.Single(RepositoryScanner.Scan(_root).Models);

        Assert.Equal("empty", empty.Name);
        Assert.Empty(empty.Versions);
    }

    [Fact]
    public void Scan_skips_and_reports_invalid_model_names()
    {
        Write("iris/1/model.onnx");
        Write("bad name/1/model.onnx");
        Write(new string('a', 65) + "/1/model.onnx");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Equal(["iris"], snapshot.Models.Select(m => m.Name));
        Assert.Equal(2, snapshot.Problems.Count);
        Assert.Contains("model name 'bad name' is invalid: use 1-64 of A-Z a-z 0-9 _ . -; skipped", snapshot.Problems);
    }

    [Fact]
    public void Scan_skips_and_reports_hidden_directories()
    {
        Write("iris/1/model.onnx");
        Write(".git/HEAD", "ref");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Equal(["iris"], snapshot.Models.Select(m => m.Name));
        Assert.Equal(["'.git': hidden directory; skipped"], snapshot.Problems);
    }

    [Fact]
    public void Scan_reports_a_missing_root_instead_of_throwing()
    {
        RepositorySnapshot snapshot = RepositoryScanner.Scan(Path.Combine(_root, "missing"));

        Assert.Empty(snapshot.Models);
        Assert.Contains("does not exist", Assert.Single(snapshot.Problems), StringComparison.Ordinal);
        Assert.Contains("does not exist", snapshot.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_gives_the_same_fingerprint_when_nothing_changed()
    {
        Write("iris/1/model.onnx");
        Write("iris/1/extra/data.bin", "x");

        Assert.Equal(FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1), FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1));
    }

    [Fact]
    public void Scan_fingerprint_changes_when_a_file_grows()
    {
        string model = Write("iris/1/model.onnx", "part");
        VersionFingerprint before = FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1);

        File.AppendAllText(model, "-rest");
        VersionFingerprint after = FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1);

        Assert.NotEqual(before, after);
        Assert.Equal(before.TotalBytes + 5, after.TotalBytes);
    }

    [Fact]
    public void Scan_fingerprint_changes_when_a_file_is_added()
    {
        Write("iris/1/model.onnx");
        VersionFingerprint before = FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1);

        Write("iris/1/deep/er/weights.bin", "");
        VersionFingerprint after = FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1);

        Assert.NotEqual(before, after);
        Assert.Equal(before.FileCount + 1, after.FileCount);
    }

    [Fact]
    public void Scan_fingerprint_changes_when_a_file_is_rewritten_with_the_same_size()
    {
        string model = Write("iris/1/model.onnx", "aaaa");
        File.SetLastWriteTimeUtc(model, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(Path.GetDirectoryName(model)!, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        VersionFingerprint before = FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1);

        File.SetLastWriteTimeUtc(model, new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc));
        VersionFingerprint after = FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1);

        Assert.Equal(before.TotalBytes, after.TotalBytes);
        Assert.True(after.MaxLastWriteUtcTicks > before.MaxLastWriteUtcTicks);
    }

    [Fact]
    public void Scan_fingerprint_says_when_model_onnx_is_missing()
    {
        Write("iris/1/model.onnx.partial");
        Write("iris/2/sub/model.onnx");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.False(FingerprintOf(snapshot, "iris", 1).HasModelFile);
        Assert.False(FingerprintOf(snapshot, "iris", 2).HasModelFile);
    }

    [Fact]
    public void Scan_fingerprint_stops_counting_past_the_file_limit()
    {
        for (int i = 0; i <= RepositoryScanner.MaxFingerprintFiles; i++)
        {
            Write($"iris/1/f{i}", "x");
        }

        VersionFingerprint fingerprint = FingerprintOf(RepositoryScanner.Scan(_root), "iris", 1);

        Assert.True(fingerprint.IsTruncated);
        Assert.Equal(RepositoryScanner.MaxFingerprintFiles, fingerprint.FileCount);
    }

    [Fact]
    public void Scan_fingerprint_stops_descending_past_the_depth_limit()
    {
        Write("iris/1/a/b/c/d/shallow.bin", "x");
        Write("iris/2/a/b/c/d/e/deep.bin", "x");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.False(FingerprintOf(snapshot, "iris", 1).IsTruncated);
        Assert.Equal(1, FingerprintOf(snapshot, "iris", 1).FileCount);
        Assert.True(FingerprintOf(snapshot, "iris", 2).IsTruncated);
        Assert.Equal(0, FingerprintOf(snapshot, "iris", 2).FileCount);
    }

    [Fact]
    public void Scan_config_fingerprint_changes_when_the_config_changes()
    {
        Write("iris/1/model.onnx");
        string config = Write("iris/model.yaml", "warmup: 1\n");
        FileFingerprint? before = RepositoryScanner.Scan(_root).Find("iris")!.ConfigFingerprint;

        File.WriteAllText(config, "warmup: 10\n");
        FileFingerprint? after = RepositoryScanner.Scan(_root).Find("iris")!.ConfigFingerprint;

        Assert.NotNull(before);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Scan_reports_a_model_yaml_directory()
    {
        Mkdir("iris/model.yaml");

        ModelDirectory iris = RepositoryScanner.Scan(_root).Find("iris")!;

        Assert.Null(iris.ConfigPath);
        Assert.Contains("is a directory", Assert.Single(iris.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_skips_a_model_directory_that_links_outside_the_root()
    {
        string outside = _temp.CreateDirectory("outside/secret");
        _temp.WriteFile("outside/secret/1/model.onnx", "onnx");
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape"), outside);
        Write("iris/1/model.onnx");

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Equal(["iris"], snapshot.Models.Select(m => m.Name));
        Assert.Equal(["'escape' links outside the repository root; skipped"], snapshot.Problems);
    }

    [Fact]
    public void Scan_skips_a_relative_link_that_climbs_out_of_the_root()
    {
        _temp.WriteFile("outside/1/model.onnx", "onnx");
        Directory.CreateSymbolicLink(Path.Combine(_root, "climb"), Path.Combine("..", "outside"));

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Empty(snapshot.Models);
        Assert.Equal(["'climb' links outside the repository root; skipped"], snapshot.Problems);
    }

    [Fact]
    public void Scan_skips_a_version_whose_model_file_links_outside_the_root()
    {
        string secret = _temp.WriteFile("outside/model.onnx", "secret");
        Write("iris/1/model.onnx");
        Mkdir("iris/2");
        File.CreateSymbolicLink(Path.Combine(_root, "iris", "2", "model.onnx"), secret);

        ModelDirectory iris = RepositoryScanner.Scan(_root).Find("iris")!;

        Assert.Equal([1L], iris.Versions.Select(v => v.Version));
        Assert.Equal(["'iris/2/model.onnx' links outside the repository root; skipped; version 2 skipped"], iris.Problems);
    }

    [Fact]
    public void Scan_skips_a_version_directory_and_a_config_that_link_outside_the_root()
    {
        string outsideVersion = _temp.CreateDirectory("outside/7");
        _temp.WriteFile("outside/7/model.onnx", "onnx");
        string outsideConfig = _temp.WriteFile("outside/model.yaml", "warmup: 1\n");
        Write("iris/1/model.onnx");
        Directory.CreateSymbolicLink(Path.Combine(_root, "iris", "7"), outsideVersion);
        File.CreateSymbolicLink(Path.Combine(_root, "iris", "model.yaml"), outsideConfig);

        ModelDirectory iris = RepositoryScanner.Scan(_root).Find("iris")!;

        Assert.Equal([1L], iris.Versions.Select(v => v.Version));
        Assert.Null(iris.ConfigPath);
        Assert.Equal(
            ["'iris/7' links outside the repository root; skipped", "'iris/model.yaml' links outside the repository root; skipped"],
            iris.Problems);
    }

    [Fact]
    public void Scan_follows_links_that_stay_inside_the_root_and_fingerprints_their_targets()
    {
        string model = Write("iris/1/model.onnx", "1234567");
        Directory.CreateSymbolicLink(Path.Combine(_root, "iris-alias"), "iris");
        Mkdir("wine/1");
        File.CreateSymbolicLink(Path.Combine(_root, "wine", "1", "model.onnx"), model);

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Empty(snapshot.Problems);
        Assert.Equal(["iris", "iris-alias", "wine"], snapshot.Models.Select(m => m.Name));
        VersionFingerprint wine = FingerprintOf(snapshot, "wine", 1);
        Assert.True(wine.HasModelFile);
        Assert.Equal(7, wine.TotalBytes);
    }

    [Fact]
    public void Scan_skips_a_link_through_an_inner_link_that_escapes_even_when_it_looks_inside()
    {
        // Lexically "iris/hop/../../1" stays under the root, but "hop" goes two levels deep outside it,
        // so ".." from there lands outside too.
        _temp.WriteFile("outside/a/b/placeholder", "");
        _temp.WriteFile("outside/a/1/model.onnx", "secret");
        Write("iris/1/model.onnx");
        Directory.CreateSymbolicLink(Path.Combine(_root, "iris", "hop"), _temp.Combine("outside/a/b"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "iris", "2"), Path.Combine("hop", "..", "1"));

        ModelDirectory iris = RepositoryScanner.Scan(_root).Find("iris")!;

        Assert.Equal([1L], iris.Versions.Select(v => v.Version));
        Assert.Contains("'iris/2' links outside the repository root; skipped", iris.Problems);
    }

    [Fact]
    public void Scan_takes_a_model_link_that_leads_nowhere_as_unreadable_not_removed()
    {
        // A model directory linked to storage that went away (an unmounted volume) still exists as a name.
        File.CreateSymbolicLink(Path.Combine(_root, "gone"), Path.Combine(_root, ".volume", "gone"));

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        ModelDirectory gone = Assert.Single(snapshot.Models);
        Assert.Equal("gone", gone.Name);
        Assert.Empty(gone.Versions);
        Assert.Contains("cannot read the directory", gone.ReadError, StringComparison.Ordinal);
        Assert.Contains("does not exist", gone.ReadError, StringComparison.Ordinal);
        Assert.Null(snapshot.Error);
    }

    [Fact]
    public void Scan_takes_a_model_link_loop_as_unreadable()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");

        ModelDirectory loop = Assert.Single(RepositoryScanner.Scan(_root).Models);

        Assert.Contains("symbolic link loop", loop.ReadError, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_still_skips_a_broken_link_whose_name_is_not_a_model_name()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "not a model"), Path.Combine(_root, "nowhere"));

        RepositorySnapshot snapshot = RepositoryScanner.Scan(_root);

        Assert.Empty(snapshot.Models);
        Assert.Equal(["'not a model' is a broken symbolic link; skipped"], snapshot.Problems);
    }

    [Fact]
    public void Scan_takes_a_version_link_that_leads_nowhere_as_an_unreadable_version()
    {
        Write("iris/1/model.onnx");
        Directory.CreateSymbolicLink(Path.Combine(_root, "iris", "2"), Path.Combine(_root, ".volume", "iris-2"));

        ModelDirectory iris = RepositoryScanner.Scan(_root).Find("iris")!;

        Assert.Null(iris.ReadError);
        Assert.Equal([1L], iris.Versions.Select(v => v.Version));
        Assert.Contains("cannot read the directory", Assert.Single(iris.UnreadableVersions).Value, StringComparison.Ordinal);
        Assert.Equal(2L, iris.UnreadableVersions.Keys.Single());
    }

    [Fact]
    public void Scan_takes_a_model_yaml_link_that_leads_nowhere_as_an_unreadable_model()
    {
        Write("iris/1/model.onnx");
        File.CreateSymbolicLink(Path.Combine(_root, "iris", "model.yaml"), Path.Combine(_root, ".volume", "iris.yaml"));

        ModelDirectory iris = RepositoryScanner.Scan(_root).Find("iris")!;

        Assert.Contains("'iris/model.yaml': cannot read the file", iris.ReadError, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_works_through_a_root_that_is_itself_a_link()
    {
        Write("iris/1/model.onnx");
        string linkedRoot = _temp.Combine("linked-repo");
        Directory.CreateSymbolicLink(linkedRoot, _root);

        RepositorySnapshot snapshot = RepositoryScanner.Scan(linkedRoot);

        Assert.Empty(snapshot.Problems);
        Assert.Equal(linkedRoot, snapshot.Root);
        Assert.Equal([1L], snapshot.Find("iris")!.Versions.Select(v => v.Version));
    }
}
