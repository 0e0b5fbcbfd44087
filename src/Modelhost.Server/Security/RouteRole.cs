namespace Modelhost.Server.Security;

/// <summary>
/// Endpoint metadata: the role a route needs, or none for a route open to everyone (the health probes). Set by
/// <see cref="SecuritySetup.Requires{TBuilder}"/> and <see cref="SecuritySetup.Open{TBuilder}"/>, read by
/// <see cref="AccessMiddleware"/> and the audit log.
/// </summary>
internal sealed class RouteRole
{
    private static readonly RouteRole[] ByRole = [.. Roles.All.Select(role => new RouteRole(role))];

    private RouteRole(Role? required)
    {
        Required = required;
    }

    /// <summary>The metadata of open routes.</summary>
    public static RouteRole Open { get; } = new(null);

    /// <summary>The role needed (or one above it); null for an open route.</summary>
    public Role? Required { get; }

    /// <summary>The shared metadata of routes that need <paramref name="role"/>.</summary>
    public static RouteRole For(Role role) => ByRole[(int)role - 1];
}
