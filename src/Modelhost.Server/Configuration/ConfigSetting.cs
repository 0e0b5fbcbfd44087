namespace Modelhost.Server.Configuration;

/// <summary>One setting from one source of the server's configuration, and where it was made.</summary>
/// <param name="Key">The configuration key, its segments joined by ':' and spelled as in the YAML file (<c>limits:max_connections</c>, <c>auth:keys:0:name</c>).</param>
/// <param name="Value">The value; null for an empty mapping or list.</param>
/// <param name="Origin">Where it was set, as error messages name it: <c>FILE:LINE</c>, an environment variable, a command-line flag.</param>
public sealed record ConfigSetting(string Key, string? Value, string Origin)
{
    /// <summary>
    /// Whether this only says where a mapping or list starts (a line of the YAML file): it gives the origin of the key
    /// and its errors, and no value.
    /// </summary>
    public bool IsSection { get; init; }
}
