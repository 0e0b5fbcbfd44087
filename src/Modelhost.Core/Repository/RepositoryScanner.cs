using System.Security;
using Modelhost.Core.Configuration;

namespace Modelhost.Core.Repository;

/// <summary>
/// Lists a model repository, <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> with an optional
/// <c>&lt;root&gt;/&lt;model&gt;/model.yaml</c>. A scan never throws for what it finds on disk: whatever it skips
/// is reported in <see cref="RepositorySnapshot.Problems"/> or <see cref="ModelDirectory.Problems"/>, so one bad
/// directory cannot keep the other models from being served.
/// </summary>
internal static class RepositoryScanner
{
    public const string ModelFileName = RepositoryLayout.ModelFile;

    /// <summary>See <see cref="RepositoryLayout.ForecasterFile"/>.</summary>
    public const string ForecasterFileName = RepositoryLayout.ForecasterFile;

    /// <summary>A version directory holds a model and maybe some external data; more files than this are not summed.</summary>
    public const int MaxFingerprintFiles = 1000;

    /// <summary>How many directory levels below a version directory its fingerprint looks into.</summary>
    public const int MaxFingerprintDepth = 4;

    private static readonly EnumerationOptions _listOptions = new()
    {
        // The defaults skip hidden and system entries, but hidden directories are reported, not silently missed.
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        MatchType = MatchType.Simple,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// Scans the repository under <paramref name="root"/>; with <paramref name="singleModel"/>, a root that is one model rather than a
    /// repository (KServe's <c>/mnt/models</c>) is served under that name: <c>model.onnx</c> directly in the root is
    /// version 1 (with <c>model.yaml</c> beside it), and version directories (<c>1/</c>, <c>2/</c>...) directly in the root
    /// are that model's versions. A root holding neither is read as a repository.
    /// </summary>
    public static RepositorySnapshot Scan(string root, string? singleModel = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (singleModel is not null && ScanSingleModel(root, singleModel) is { } single)
        {
            return single;
        }

        string fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var problems = new List<string>();
        string? realRoot = Directory.Exists(fullRoot) ? RealPath.Resolve(fullRoot) : null;
        if (realRoot is null)
        {
            // Not "every model was removed": a root that is gone is far more likely an unmounted volume or a typo.
            return Failed(fullRoot, problems, $"repository root '{fullRoot}' does not exist or is not a directory");
        }

        var models = new List<ModelDirectory>();
        var forecasters = new List<ModelDirectory>();
        if (List(new DirectoryInfo(fullRoot), fullRoot, out string? rootError) is not { } entries)
        {
            return Failed(fullRoot, problems, rootError ?? $"repository root '{fullRoot}' does not exist or is not a directory");
        }

        foreach (FileSystemInfo entry in entries)
        {
            string name = entry.Name;
            if (entry is not DirectoryInfo directory)
            {
                // Files beside the models (a README, a manifest) are not the scanner's business, but a link
                // that leads nowhere is most likely a model directory whose storage went away.
                if (BrokenLink(entry, realRoot, out bool outside) is { } broken)
                {
                    if (outside || name.StartsWith('.') || !ModelName.TryValidate(name, out _))
                    {
                        problems.Add($"'{ModelName.ToDisplay(name)}' is a broken symbolic link; skipped");
                    }
                    else
                    {
                        models.Add(ModelDirectory.Unreadable(name, entry.FullName, $"'{name}': cannot read the directory: {broken}"));
                    }
                }

                continue;
            }

            if (name.StartsWith('.'))
            {
                problems.Add($"'{ModelName.ToDisplay(name)}': hidden directory; skipped");
                continue;
            }

            if (!ModelName.TryValidate(name, out string? error))
            {
                problems.Add($"{error}; skipped");
                continue;
            }

            if (LinkProblem(entry, name, realRoot) is { } linkProblem)
            {
                problems.Add(linkProblem);
                continue;
            }

            if (ScanModel(directory, realRoot) is not { } model)
            {
                // The directory went away between listing the root and reading it (it was removed), or a job is staging
                // its first version (not a model yet).
                continue;
            }

            (IsForecaster(model) ? forecasters : models).Add(model);
        }

        return new RepositorySnapshot(fullRoot, models, problems, forecasters);
    }

    /// <summary>The root as one model named <paramref name="name"/>, or <see langword="null"/> when it holds model directories instead.</summary>
    private static RepositorySnapshot? ScanSingleModel(string root, string name)
    {
        string fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (!Directory.Exists(fullRoot) || RealPath.Resolve(fullRoot) is not { } realRoot)
        {
            return null;
        }

        var directory = new DirectoryInfo(fullRoot);
        if (File.Exists(Path.Join(fullRoot, ModelFileName)))
        {
            var problems = new List<string>();
            var configPath = Path.Join(fullRoot, ModelConfigLoader.FileName);
            var config = File.Exists(configPath) ? Fingerprint(new FileInfo(configPath)) : null;
            var versions = new List<VersionDirectory>();
            var unreadable = new SortedDictionary<long, string>();
            if (FingerprintVersion(directory, name, realRoot, out string? problem, out bool readError) is { } fingerprint)
            {
                versions.Add(new VersionDirectory(1, fullRoot, fingerprint));
            }
            else if (problem is not null)
            {
                problems.Add(problem);
                if (readError)
                {
                    unreadable[1] = problem;
                }
            }

            var model = new ModelDirectory(name, fullRoot, config is null ? null : configPath, config, versions, problems, unreadable);
            return new RepositorySnapshot(fullRoot, [model], [], []);
        }

        try
        {
            foreach (var entry in directory.EnumerateDirectories("*", _listOptions))
            {
                if (RepositoryLayout.TryParseVersion(entry.Name, out _))
                {
                    var model = ScanModel(directory, realRoot, name) ?? new ModelDirectory(name, fullRoot, null, null, [], []);
                    return new RepositorySnapshot(fullRoot, [model], [], []);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException)
        {
            // The repository scan below lists the root again and reports why it cannot.
        }

        return null;
    }

    /// <summary>
    /// Scans one model directory; <see langword="null"/> when it no longer exists or holds only a first version being
    /// staged, and a model with
    /// <see cref="ModelDirectory.ReadError"/> when it, or its <c>model.yaml</c>, cannot be read.
    /// </summary>
    private static ModelDirectory? ScanModel(DirectoryInfo directory, string realRoot, string? name = null)
    {
        name ??= directory.Name;
        var problems = new List<string>();
        string? configPath = null;
        FileFingerprint? configFingerprint = null;
        var versions = new List<VersionDirectory>();
        var unreadable = new SortedDictionary<long, string>();

        if (List(directory, name, out string? listError) is not { } entries)
        {
            return listError is null ? null : ModelDirectory.Unreadable(name, directory.FullName, listError);
        }

        int visibleEntries = 0;
        int hiddenDirectories = 0;
        foreach (FileSystemInfo entry in entries)
        {
            string display = $"{name}/{ModelName.ToDisplay(entry.Name)}";
            if (entry.Name.StartsWith('.'))
            {
                // Inside a model, hidden entries are trainers' staging directories and editors' temp files:
                // skipped without a report, or every poll during a training job would warn.
                hiddenDirectories += entry is DirectoryInfo ? 1 : 0;
                continue;
            }

            visibleEntries++;
            if (entry.Name == ModelConfigLoader.FileName)
            {
                if (entry is DirectoryInfo)
                {
                    problems.Add($"'{display}' is a directory, not a config file; ignored");
                }
                else if (BrokenLink(entry, realRoot, out bool outside) is { } broken && !outside)
                {
                    // Serving on with the default config instead would change how every version behaves.
                    return ModelDirectory.Unreadable(name, directory.FullName, $"'{display}': cannot read the file: {broken}");
                }
                else if (LinkProblem(entry, display, realRoot) is { } linkProblem)
                {
                    problems.Add(linkProblem);
                }
                else if (Fingerprint((FileInfo)entry) is { } fingerprint)
                {
                    configPath = entry.FullName;
                    configFingerprint = fingerprint;
                }
                else
                {
                    problems.Add($"'{display}' is a broken symbolic link; ignored");
                }

                continue;
            }

            if (entry is not DirectoryInfo versionDirectory)
            {
                // A version directory whose link leads nowhere is unreadable, not removed; other files are not versions.
                if (BrokenLink(entry, realRoot, out bool outside) is { } broken && !outside && RepositoryLayout.TryParseVersion(entry.Name, out long linked, out _))
                {
                    string error = $"'{display}': cannot read the directory: {broken}";
                    problems.Add(error);
                    unreadable[linked] = error;
                }

                continue;
            }

            if (!RepositoryLayout.TryParseVersion(entry.Name, out long version, out string? reason))
            {
                problems.Add($"'{display}': {reason}; skipped");
                continue;
            }

            if (LinkProblem(entry, display, realRoot) is { } versionLinkProblem)
            {
                problems.Add(versionLinkProblem);
                continue;
            }

            if (FingerprintVersion(versionDirectory, display, realRoot, out string? fingerprintProblem, out bool readError) is { } versionFingerprint)
            {
                versions.Add(new VersionDirectory(version, versionDirectory.FullName, versionFingerprint));
            }
            else if (readError)
            {
                problems.Add(fingerprintProblem!);
                unreadable[version] = fingerprintProblem!;
            }
            else if (fingerprintProblem is not null)
            {
                problems.Add($"{fingerprintProblem}; version {version} skipped");
            }
        }

        if (visibleEntries == 0 && hiddenDirectories > 0)
        {
            // Nothing but hidden directories: a job staging the first version of a new model (a series' first
            // forecaster, forecast-DE/.staging-…). Listed now, it would read as a model with no versions until the
            // next scan, and a forecaster's directory as an unavailable model in the index.
            return null;
        }

        versions.Sort((a, b) => a.Version.CompareTo(b.Version));
        return new ModelDirectory(name, directory.FullName, configPath, configFingerprint, versions, problems, unreadable);
    }

    /// <summary>A directory whose versions hold forecasters and no ONNX model at all; one ONNX version makes it a model.</summary>
    private static bool IsForecaster(ModelDirectory model)
    {
        var forecaster = false;
        foreach (var version in model.Versions)
        {
            if (version.Fingerprint.HasModelFile)
            {
                return false;
            }

            forecaster |= version.Fingerprint.HasForecasterFile;
        }

        return forecaster;
    }

    /// <summary>
    /// Sums the files of a version directory, bounded by <see cref="MaxFingerprintFiles"/> and <see cref="MaxFingerprintDepth"/>.
    /// Returns <see langword="null"/> with a problem when the directory cannot be read (<paramref name="readError"/>) or
    /// links outside the repository, since such a version must not be loaded, and with no problem when it was removed.
    /// </summary>
    private static VersionFingerprint? FingerprintVersion(DirectoryInfo versionDirectory, string display, string realRoot, out string? problem, out bool readError)
    {
        readError = false;
        long totalBytes = 0;
        int fileCount = 0;
        long maxTicks = LastWriteTicks(versionDirectory);
        bool hasModelFile = false;
        bool hasForecasterFile = false;
        bool truncated = false;

        var pending = new Stack<(DirectoryInfo Directory, string Display, int Depth)>();
        pending.Push((versionDirectory, display, 0));
        while (pending.TryPop(out var current))
        {
            if (List(current.Directory, current.Display, out string? listError) is not { } entries)
            {
                // The version directory itself gone is a removal (no problem); anything else unreadable is an error.
                problem = listError ?? (current.Depth == 0 ? null : $"'{current.Display}': cannot read the directory: it vanished while being read");
                readError = problem is not null;
                return null;
            }

            foreach (FileSystemInfo entry in entries)
            {
                string entryDisplay = $"{current.Display}/{ModelName.ToDisplay(entry.Name)}";
                if (LinkProblem(entry, entryDisplay, realRoot) is { } linkProblem)
                {
                    problem = linkProblem;
                    return null;
                }

                if (entry is DirectoryInfo subdirectory)
                {
                    maxTicks = Math.Max(maxTicks, LastWriteTicks(subdirectory));
                    if (current.Depth < MaxFingerprintDepth)
                    {
                        pending.Push((subdirectory, entryDisplay, current.Depth + 1));
                    }
                    else
                    {
                        truncated = true;
                    }

                    continue;
                }

                if (Fingerprint((FileInfo)entry) is not { } file)
                {
                    // A broken link is not a file; if it is model.onnx, HasModelFile stays false and says so.
                    continue;
                }

                if (fileCount == MaxFingerprintFiles)
                {
                    truncated = true;
                    break;
                }

                fileCount++;
                totalBytes += file.Size;
                maxTicks = Math.Max(maxTicks, file.LastWriteUtcTicks);
                hasModelFile |= current.Depth == 0 && entry.Name == ModelFileName;
                hasForecasterFile |= current.Depth == 0 && entry.Name == ForecasterFileName;
            }
        }

        problem = null;
        return new VersionFingerprint(totalBytes, fileCount, maxTicks, hasModelFile, hasForecasterFile, truncated);
    }

    /// <summary>The size and time of a file, following a link to its target; <see langword="null"/> when it does not exist.</summary>
    private static FileFingerprint? Fingerprint(FileInfo file)
    {
        // A link's own size and time say nothing about the file it points to, which is what gets loaded.
        FileInfo target = file.LinkTarget is null ? file : new FileInfo(RealPath.Resolve(file.FullName) ?? file.FullName);
        return target.Exists ? new FileFingerprint(target.Length, target.LastWriteTimeUtc.Ticks) : null;
    }

    private static long LastWriteTicks(DirectoryInfo directory)
    {
        if (directory.LinkTarget is not null && RealPath.Resolve(directory.FullName) is { } real)
        {
            directory = new DirectoryInfo(real);
        }

        return directory.LastWriteTimeUtc.Ticks;
    }

    /// <summary>Why a symbolic link must be skipped, or <see langword="null"/> for a plain entry or a link that stays inside the root.</summary>
    private static string? LinkProblem(FileSystemInfo entry, string display, string realRoot)
    {
        // Only links need resolving: a plain entry is inside its parent, which was checked on the way down.
        // The attribute comes from the directory listing, which saves a readlink call per plain file.
        if ((entry.Attributes & FileAttributes.ReparsePoint) == 0 || entry.LinkTarget is null)
        {
            return null;
        }

        string? real = RealPath.Resolve(entry.FullName);
        if (real is null)
        {
            return $"'{display}' is a symbolic link loop; skipped";
        }

        return RealPath.IsWithin(real, realRoot) ? null : $"'{display}' links outside the repository root; skipped";
    }

    private static RepositorySnapshot Failed(string fullRoot, List<string> problems, string error)
    {
        problems.Add(error);
        return new RepositorySnapshot(fullRoot, [], problems, error: error);
    }

    /// <summary>
    /// Why a link cannot be opened (a loop, or a target that does not exist), or <see langword="null"/> for an entry that is
    /// not a link or whose target exists. <paramref name="outside"/> says the missing target would be outside the root anyway.
    /// </summary>
    private static string? BrokenLink(FileSystemInfo entry, string realRoot, out bool outside)
    {
        outside = false;
        if ((entry.Attributes & FileAttributes.ReparsePoint) == 0 || entry.LinkTarget is not { } target)
        {
            return null;
        }

        if (RealPath.Resolve(entry.FullName) is not { } real)
        {
            return "it is a symbolic link loop";
        }

        if (Path.Exists(real))
        {
            return null;
        }

        outside = !RealPath.IsWithin(real, realRoot);
        return $"it is a symbolic link to '{target}', which does not exist";
    }

    /// <summary>
    /// Lists a directory, or gives <see langword="null"/> with the reason it could not be read. A directory that no longer
    /// exists at all (not even as a broken link) gives <see langword="null"/> with a null <paramref name="error"/>: it was
    /// removed, which is not the same thing as unreadable (permissions, too many open files, an I/O error).
    /// </summary>
    private static List<FileSystemInfo>? List(DirectoryInfo directory, string display, out string? error)
    {
        try
        {
            // Materialized here because enumeration errors surface while iterating, and sorted so scans are deterministic.
            List<FileSystemInfo> entries = [.. directory.EnumerateFileSystemInfos("*", _listOptions).OrderBy(e => e.Name, StringComparer.Ordinal)];
            error = null;
            return entries;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException)
        {
            // Path.Exists is true for a broken link too, so only a name that is really gone counts as removed.
            error = ex is DirectoryNotFoundException && !Path.Exists(directory.FullName)
                ? null
                : $"'{display}': cannot read the directory: {ex.Message}";
            return null;
        }
    }
}
