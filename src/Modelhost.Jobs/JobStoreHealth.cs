namespace Modelhost.Jobs;

/// <summary>Whether a <see cref="JobStore"/> could last use its database.</summary>
/// <param name="Available">True when the last read or write worked.</param>
/// <param name="Reason">Why the store is unavailable (null when it is available).</param>
/// <param name="Since">When the store became (un)available.</param>
public sealed record JobStoreHealth(bool Available, string? Reason, DateTimeOffset Since);
