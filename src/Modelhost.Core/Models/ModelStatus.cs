using Modelhost.Core.Configuration;

namespace Modelhost.Core.Models;

/// <summary>The state of one model in the repository: its config (or why the config failed) and its versions.</summary>
public sealed class ModelStatus
{
    internal ModelStatus(string name, ModelConfig config, string? configError, bool unloaded, IReadOnlyList<ModelVersionStatus> versions, string? readError = null)
    {
        ReadError = readError;
        Name = name;
        Config = config;
        ConfigError = configError;
        IsUnloaded = unloaded;
        Versions = versions;
    }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>The config in force.</summary>
    public ModelConfig Config { get; }

    /// <summary>Why <c>model.yaml</c> could not be used, or null.</summary>
    public string? ConfigError { get; }

    /// <summary>
    /// Why the last scan could not read the model's directory, its config or some versions (or the whole repository),
    /// or null. The versions already loaded keep serving while it lasts.
    /// </summary>
    public string? ReadError { get; }

    /// <summary>Whether the model was unloaded through the repository API and stays so until loaded again.</summary>
    public bool IsUnloaded { get; }

    /// <summary>
    /// Set for a model folder found on disk by <see cref="ModelRepositoryManager.Rescan"/> that no sync has loaded
    /// yet: why it is not served. Null for every model the manager knows.
    /// </summary>
    public string? NotLoadedReason { get; init; }

    /// <summary>Its versions, highest first.</summary>
    public IReadOnlyList<ModelVersionStatus> Versions { get; }
}
