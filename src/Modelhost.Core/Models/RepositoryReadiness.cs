namespace Modelhost.Core.Models;

/// <summary>Whether the server is ready in Triton's strict sense, and if not, why.</summary>
public sealed class RepositoryReadiness
{
    internal RepositoryReadiness(bool isReady, string? reason, IReadOnlyList<NotReadyModel> models)
    {
        IsReady = isReady;
        Reason = reason;
        Models = models;
    }

    /// <summary>Whether the repository was read and every model that should be served has a ready version.</summary>
    public bool IsReady { get; }

    /// <summary>Why the repository as a whole is not ready (still loading, or never readable), or null.</summary>
    public string? Reason { get; }

    /// <summary>The models without a ready version, sorted by name, each with why.</summary>
    public IReadOnlyList<NotReadyModel> Models { get; }
}
