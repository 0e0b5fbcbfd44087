namespace Modelhost.Server.Configuration;

/// <summary>The Prometheus endpoint (<c>metrics: {enabled, urls}</c> in the config file).</summary>
public sealed class MetricsOptions
{
    /// <summary>The config file's section name.</summary>
    public const string Section = "metrics";

    /// <summary>Whether metrics are collected and <c>GET /metrics</c> answers; off, instruments cost one check each.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// URLs (separated by ';') of a listener of its own that serves only <c>GET /metrics</c>, open to every caller (as
    /// Triton's port 8002); null for none. On the main port <c>/metrics</c> needs the <c>manage</c> role either way.
    /// </summary>
    public string? Urls { get; set; }
}
