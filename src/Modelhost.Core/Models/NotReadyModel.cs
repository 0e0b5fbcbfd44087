namespace Modelhost.Core.Models;

/// <summary>A model that should be served but has no ready version.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Reason">Why: its config, a version that failed to load or is loading, or a directory that cannot be read.</param>
public sealed record NotReadyModel(string Name, string Reason);
