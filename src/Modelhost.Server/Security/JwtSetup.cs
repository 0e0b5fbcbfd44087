using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Modelhost.Server.Configuration;

namespace Modelhost.Server.Security;

/// <summary>
/// JWT bearer tokens from an OIDC issuer through ASP.NET Core's JwtBearer handler: issuer, audience and signing keys from
/// config, and a claim mapped to Modelhost's roles (each role including the ones below it, as for keys).
/// </summary>
internal static class JwtSetup
{
    public const string SchemeName = "Jwt";

    /// <summary>Reads the signing keys; a file that is missing or holds no public key is a config error naming the key.</summary>
    public static List<SecurityKey> LoadSigningKeys(JwtOptions jwt)
    {
        var keys = new List<SecurityKey>();
        foreach (var file in jwt.SigningKeyFiles)
        {
            string pem;
            try
            {
                pem = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ServerConfigException($"auth.jwt.signing_keys: cannot read '{file}': {ex.Message}");
            }

            keys.Add(Import(pem) ?? throw new ServerConfigException($"auth.jwt.signing_keys: '{file}' holds no RSA or EC public key in PEM"));
        }

        return keys;
    }

    public static void Add(AuthenticationBuilder authentication, JwtOptions jwt)
    {
        var keys = LoadSigningKeys(jwt);
        authentication.AddJwtBearer(SchemeName, bearer =>
        {
            bearer.MapInboundClaims = false;
            bearer.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = jwt.Issuer,
                ValidAudience = jwt.Audience,
                IssuerSigningKeys = keys,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                ValidateIssuerSigningKey = true,
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromMinutes(1),
                NameClaimType = jwt.NameClaim,
                RoleClaimType = jwt.RolesClaim,
            };
            bearer.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    var principal = context.Principal!;
                    Role? level = null;
                    foreach (var claim in principal.FindAll(jwt.RolesClaim))
                    {
                        if (Roles.TryParse(claim.Value, out var role) && (level is null || role > level))
                        {
                            level = role;
                        }
                    }

                    context.Principal = CallerIdentity.ForToken(principal.FindFirst(jwt.NameClaim)?.Value ?? "jwt", level);
                    return Task.CompletedTask;
                },
            };
        });
    }

    /// <summary>Whether a request carries a JWT (three dot-separated parts) rather than an API key.</summary>
    public static bool CarriesJwt(HttpRequest request)
    {
        if (request.Headers.ContainsKey(ApiKeyHeader.TokenHeader))
        {
            return false;
        }

        var token = ApiKeyHeader.Read(request);
        var first = token.IndexOf('.');
        return first > 0 && token[(first + 1)..].Contains('.');
    }

    private static SecurityKey? Import(string pem)
    {
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            // Not an RSA key: try EC below.
        }

        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
