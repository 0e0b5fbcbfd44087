namespace Modelhost.Core.Repository;

/// <summary>What one <see cref="RepositoryScanner.Scan"/> found in the model repository.</summary>
internal sealed class RepositorySnapshot
{
    public RepositorySnapshot(string root, IReadOnlyList<ModelDirectory> models, IReadOnlyList<string> problems, IReadOnlyList<ModelDirectory>? forecasters = null, string? error = null)
    {
        Error = error;
        Root = root;
        Models = models;
        Problems = problems;
        Forecasters = forecasters ?? [];
    }

    /// <summary>
    /// Why the repository root could not be listed, or <see langword="null"/>. When set, the scan saw nothing: that says
    /// nothing about which models exist, so no model may be taken as removed.
    /// </summary>
    public string? Error { get; }

    /// <summary>The repository root's full path.</summary>
    public string Root { get; }

    /// <summary>The models with valid names, in ordinal name order.</summary>
    public IReadOnlyList<ModelDirectory> Models { get; }

    /// <summary>
    /// The directories of fitted forecasters (<see cref="RepositoryScanner.ForecasterFileName"/> in every version that
    /// has a file the scanner knows), in ordinal name order. They are not served as models.
    /// </summary>
    public IReadOnlyList<ModelDirectory> Forecasters { get; }

    /// <summary>
    /// Repository-level problems, one sentence each: a missing or unreadable root, and directories skipped
    /// for an invalid name, for being hidden, or for linking outside the root. Each model has its own list too.
    /// </summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Finds a model by its exact (case-sensitive) name.</summary>
    public ModelDirectory? Find(string name)
    {
        foreach (ModelDirectory model in Models)
        {
            if (string.Equals(model.Name, name, StringComparison.Ordinal))
            {
                return model;
            }
        }

        return null;
    }
}
