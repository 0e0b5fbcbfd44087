namespace Modelhost.Core.Repository;

/// <summary>A model directory, <c>&lt;root&gt;/&lt;model&gt;</c>, as one scan saw it.</summary>
internal sealed class ModelDirectory
{
    public ModelDirectory(
        string name,
        string path,
        string? configPath,
        FileFingerprint? configFingerprint,
        IReadOnlyList<VersionDirectory> versions,
        IReadOnlyList<string> problems,
        IReadOnlyDictionary<long, string>? unreadableVersions = null,
        string? readError = null)
    {
        Name = name;
        Path = path;
        ConfigPath = configPath;
        ConfigFingerprint = configFingerprint;
        Versions = versions;
        Problems = problems;
        UnreadableVersions = unreadableVersions ?? new Dictionary<long, string>();
        ReadError = readError;
    }

    /// <summary>A model directory (or its <c>model.yaml</c>) that exists but could not be read: nothing else is known of it.</summary>
    public static ModelDirectory Unreadable(string name, string path, string error) =>
        new(name, path, null, null, [], [error], null, error);

    /// <summary>The model's name, which is its directory's name and always valid.</summary>
    public string Name { get; }

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>The full path of <c>model.yaml</c>, or <see langword="null"/> when the model has none.</summary>
    public string? ConfigPath { get; }

    /// <summary>The size and time of <c>model.yaml</c>, so a scan can tell the config changed; <see langword="null"/> without one.</summary>
    public FileFingerprint? ConfigFingerprint { get; }

    /// <summary>The valid version directories, in ascending version order.</summary>
    public IReadOnlyList<VersionDirectory> Versions { get; }

    /// <summary>
    /// Why the directory or its <c>model.yaml</c> could not be read (permissions, too many open files, an I/O error, a
    /// link whose storage is gone), or <see langword="null"/>. When set, <see cref="Versions"/> and the config are unknown,
    /// not absent: the model was not removed.
    /// </summary>
    public string? ReadError { get; }

    /// <summary>Version directories that exist but could not be read, with why; they are not in <see cref="Versions"/>.</summary>
    public IReadOnlyDictionary<long, string> UnreadableVersions { get; }

    /// <summary>What was skipped in this model's directory and why, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
