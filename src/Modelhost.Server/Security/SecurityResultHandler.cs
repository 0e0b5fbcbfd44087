using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Server.Http;

namespace Modelhost.Server.Security;

/// <summary>
/// Answers a refused request with the server's JSON error: 401 with <c>WWW-Authenticate</c> when the caller has no valid
/// key, 403 naming the role the route needs when the key lacks it. The key itself never appears in the answer.
/// </summary>
internal sealed class SecurityResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly KeyRing _keys;

    public SecurityResultHandler(KeyRing keys)
    {
        _keys = keys;
    }

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return next(context);
        }

        if (authorizeResult.Challenged)
        {
            string message;
            var header = "Bearer realm=\"modelhost\"";
            if (!_keys.RequiresCredentials)
            {
                message = "this server has no API keys or token issuer, so it serves anonymous clients on loopback only; create a key with 'modelhost token create --name NAME --role infer'";
            }
            else if (ApiKeyHeader.Read(context.Request).IsEmpty)
            {
                message = "this route needs an API key: send 'X-Api-Token: KEY' or 'Authorization: Bearer KEY'";
            }
            else if (JwtSetup.CarriesJwt(context.Request))
            {
                message = "the bearer token is invalid, expired, or not from the configured issuer and audience";
                header += ", error=\"invalid_token\"";
            }
            else
            {
                message = "the API key is unknown or revoked";
                header += ", error=\"invalid_token\"";
            }

            context.Response.Headers.WWWAuthenticate = header;
            return ErrorResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, message);
        }

        var needed = RequiredRole(policy) ?? "another";
        var level = CallerIdentity.Level(context.User) is { } role ? Roles.Name(role) : "no";
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value;
        return ErrorResponses.WriteAsync(
            context,
            StatusCodes.Status403Forbidden,
            $"the key '{CallerIdentity.Name(context.User)}' has the {level} role; {context.Request.Method} {route} needs the {needed} role");
    }

    private static string? RequiredRole(AuthorizationPolicy policy)
    {
        foreach (var requirement in policy.Requirements)
        {
            if (requirement is RolesAuthorizationRequirement roles)
            {
                foreach (var role in roles.AllowedRoles)
                {
                    return role;
                }
            }
        }

        return null;
    }
}
