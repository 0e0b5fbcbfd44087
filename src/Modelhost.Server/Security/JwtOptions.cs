namespace Modelhost.Server.Security;

/// <summary>Bearer tokens (JWT) from an OIDC issuer, as an alternative to API keys (<c>auth.jwt</c> in config).</summary>
public sealed class JwtOptions
{
    /// <summary>The <c>iss</c> every token must carry.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>The <c>aud</c> every token must carry.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>PEM files holding the issuer's public keys (RSA or EC); a token must be signed by one of them.</summary>
    public IReadOnlyList<string> SigningKeyFiles { get; set; } = [];

    /// <summary>The claim whose values are Modelhost role names (infer, train, manage, admin).</summary>
    public string RolesClaim { get; set; } = "roles";

    /// <summary>The claim that names the caller in logs and the audit log.</summary>
    public string NameClaim { get; set; } = "sub";
}
