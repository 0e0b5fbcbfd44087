namespace Modelhost.Server.Security;

/// <summary>Who may call the server: API keys, anonymous access, allowed Host names and CORS origins (<c>auth:</c> in config).</summary>
public sealed class SecurityOptions
{
    /// <summary>The API keys. With none, only loopback clients are served, anonymously.</summary>
    public IReadOnlyList<ApiKey> Keys { get; set; } = [];

    /// <summary>Serve anonymous clients from any address when no key exists (<c>--allow-anonymous</c>).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Host header values accepted besides loopback names while the server is anonymous.</summary>
    public IReadOnlyList<string> AllowedHosts { get; set; } = [];

    /// <summary>Origins that browsers may call the API from (CORS); none by default.</summary>
    public IReadOnlyList<string> CorsOrigins { get; set; } = [];

    /// <summary>JWT bearer tokens from an OIDC issuer, accepted besides API keys; null when off.</summary>
    public JwtOptions? Jwt { get; set; }

    /// <summary>Whether callers must bring credentials: a key exists or tokens are configured.</summary>
    public bool HasCredentials => Keys.Count > 0 || Jwt is not null;

    /// <summary>The config file the keys came from; it is watched, and key changes take effect without a restart.</summary>
    public string? ConfigPath { get; set; }
}
