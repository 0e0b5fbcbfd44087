namespace Modelhost.Core.Models;

/// <summary>The state of one version of one model.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The version number.</param>
/// <param name="State">Its state.</param>
/// <param name="Reason">Why it is unavailable, or null.</param>
public sealed record ModelVersionStatus(string Model, long Version, ModelVersionState State, string? Reason);
