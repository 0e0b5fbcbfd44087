using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Server.Grpc;
using Modelhost.Server.Http;

namespace Modelhost.Server.Security;

/// <summary>
/// Lets a request through when its route is open or the caller's role reaches the one the route needs
/// (<see cref="RouteRole"/>), and otherwise answers with the server's JSON error: 401 with <c>WWW-Authenticate</c> when
/// the caller has no valid key or token, 403 naming the role the route needs when the caller lacks it. The key itself
/// never appears in the answer. A request that matched no route goes on, to be answered 404 or 405.
/// </summary>
internal sealed class AccessMiddleware
{
    private readonly RequestDelegate _next;
    private readonly KeyRing _keys;

    public AccessMiddleware(RequestDelegate next, KeyRing keys)
    {
        _next = next;
        _keys = keys;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RouteRole>()?.Required is not { } required)
        {
            return _next(context);
        }

        // The principals Modelhost makes carry their role; anything else (no caller at all) is unauthenticated.
        var user = context.User;
        if (user is not CallerPrincipal caller)
        {
            return user.Identity is { IsAuthenticated: true } && CallerIdentity.Level(user) >= required
                ? _next(context)
                : Refuse(context, required);
        }

        return caller.Level >= required ? _next(context) : Refuse(context, required);
    }

    private Task Refuse(HttpContext context, Role required)
    {
        var user = context.User;
        if (user.Identity is { IsAuthenticated: true })
        {
            var level = CallerIdentity.Level(user) is { } role ? Roles.Name(role) : "no";
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value;
            var forbidden = $"the key '{CallerIdentity.Name(user)}' has the {level} role; {context.Request.Method} {route} needs the {Roles.Name(required)} role";
            return GrpcRefusal.IsGrpc(context)
                ? GrpcRefusal.WriteAsync(context, global::Grpc.Core.StatusCode.PermissionDenied, forbidden)
                : ErrorResponses.WriteAsync(context, StatusCodes.Status403Forbidden, forbidden);
        }

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
            message = _keys.AcceptsTokens
                ? "the bearer token is invalid, expired, or not from the configured issuer and audience"
                : "the bearer token is a JWT, but this server takes no tokens from an identity provider (auth.jwt is not set); send an API key";
            header += ", error=\"invalid_token\"";
        }
        else
        {
            message = "the API key is unknown or revoked";
            header += ", error=\"invalid_token\"";
        }

        if (GrpcRefusal.IsGrpc(context))
        {
            return GrpcRefusal.WriteAsync(context, global::Grpc.Core.StatusCode.Unauthenticated, message.Replace("X-Api-Token: KEY", "x-api-token: KEY", StringComparison.Ordinal));
        }

        context.Response.Headers.WWWAuthenticate = header;
        return ErrorResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, message);
    }
}
