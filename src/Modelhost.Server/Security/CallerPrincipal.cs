using System.Security.Claims;

namespace Modelhost.Server.Security;

/// <summary>
/// A caller's principal with its highest role and anonymity kept beside the claims, so that checking a route's role
/// reads a field instead of scanning claims. One instance per key (and one for anonymous callers) is shared by all
/// their requests.
/// </summary>
internal sealed class CallerPrincipal : ClaimsPrincipal
{
    public CallerPrincipal(ClaimsIdentity identity, Role level, bool anonymous)
        : base(identity)
    {
        Level = level;
        IsAnonymous = anonymous;
    }

    /// <summary>The highest role (each includes those below it); 0 when the caller has none.</summary>
    public Role Level { get; }

    public bool IsAnonymous { get; }
}
