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
        IReadOnlyList<string> problems)
    {
        Name = name;
        Path = path;
        ConfigPath = configPath;
        ConfigFingerprint = configFingerprint;
        Versions = versions;
        Problems = problems;
    }

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

    /// <summary>What was skipped in this model's directory and why, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
