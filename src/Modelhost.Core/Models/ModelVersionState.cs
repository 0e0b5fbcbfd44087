namespace Modelhost.Core.Models;

/// <summary>The life cycle of one model version, as the repository index reports it.</summary>
public enum ModelVersionState
{
    /// <summary>Being read, compiled and warmed up.</summary>
    Loading,

    /// <summary>Serving requests.</summary>
    Ready,

    /// <summary>Failed to load; <see cref="ModelVersionStatus.Reason"/> says why.</summary>
    Unavailable,

    /// <summary>No longer served; finishing the requests it already has.</summary>
    Unloading,
}
