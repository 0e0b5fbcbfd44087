using System.Security.Claims;

namespace Modelhost.Server.Security;

/// <summary>The principals Modelhost makes for its callers and what endpoints ask of them.</summary>
internal static class CallerIdentity
{
    public const string KeyAuthenticationType = "ApiKey";
    public const string AnonymousAuthenticationType = "Anonymous";
    public const string AnonymousName = "anonymous";

    private const string AnonymousClaim = "modelhost:anonymous";

    /// <summary>The anonymous caller of a server without keys: every role but the ones that need a real key.</summary>
    public static CallerPrincipal Anonymous { get; } = Make(AnonymousName, Role.Admin, AnonymousAuthenticationType, anonymous: true);

    public static CallerPrincipal ForKey(ApiKey key) => Make(key.Name, key.Level, KeyAuthenticationType, anonymous: false);

    /// <summary>The caller of a valid JWT, with the highest Modelhost role its roles claim names (none: every route is 403).</summary>
    public static CallerPrincipal ForToken(string name, Role? level) => Make(name, level ?? 0, JwtSetup.SchemeName, anonymous: false);

    public static bool IsAnonymous(ClaimsPrincipal user) =>
        user is CallerPrincipal caller ? caller.IsAnonymous : user.HasClaim(static c => c.Type == AnonymousClaim);

    /// <summary>The name to log and audit: the key's name, never the key.</summary>
    public static string Name(ClaimsPrincipal user) => user.Identity?.Name ?? AnonymousName;

    /// <summary>Whether the caller presented a key with the admin role (anonymous loopback callers never count).</summary>
    public static bool IsAdminKey(ClaimsPrincipal user) => !IsAnonymous(user) && user.IsInRole(Roles.Admin);

    /// <summary>The caller's highest role, or null when it has none.</summary>
    public static Role? Level(ClaimsPrincipal user)
    {
        if (user is CallerPrincipal caller)
        {
            return caller.Level == 0 ? null : caller.Level;
        }

        Role? level = null;
        foreach (var role in Roles.All)
        {
            if (user.IsInRole(Roles.Name(role)))
            {
                level = role;
            }
        }

        return level;
    }

    private static CallerPrincipal Make(string name, Role level, string authenticationType, bool anonymous)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        foreach (var role in Roles.All)
        {
            // Each role includes the ones below it, so a policy asks for one role name only.
            if (role <= level)
            {
                claims.Add(new Claim(ClaimTypes.Role, Roles.Name(role)));
            }
        }

        if (anonymous)
        {
            claims.Add(new Claim(AnonymousClaim, "true"));
        }

        return new CallerPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role), level, anonymous);
    }
}
