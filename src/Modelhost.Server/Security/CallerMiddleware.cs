using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Modelhost.Server.Security;

/// <summary>
/// Finds out who is calling and sets <see cref="HttpContext.User"/>: the key's principal for a valid API key, the
/// token's for a valid JWT (through ASP.NET Core's JwtBearer handler, called only for a request that carries one), and
/// the shared anonymous principal on a server without keys, for loopback clients only unless <c>--allow-anonymous</c>
/// was given. A key sent to a server without keys is ignored, so the seed's clients, which always send
/// <c>X-Api-Token</c>, keep working against the local demo. An unknown key leaves the caller unauthenticated; whether
/// that matters is for <see cref="AccessMiddleware"/> to say, after the rate limiter has counted the request. The
/// principals are made once per key, so an API-key or anonymous request allocates nothing here.
/// </summary>
internal sealed class CallerMiddleware
{
    private readonly RequestDelegate _next;
    private readonly KeyRing _keys;
    private readonly bool _allowAnonymous;
    private readonly bool _tokens;

    public CallerMiddleware(RequestDelegate next, KeyRing keys, ServerOptions options)
    {
        _next = next;
        _keys = keys;
        _allowAnonymous = options.Security.AllowAnonymous;
        _tokens = options.Security.Jwt is not null;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!_keys.RequiresCredentials)
        {
            if (_allowAnonymous || IsLoopback(context.Connection.RemoteIpAddress))
            {
                context.User = CallerIdentity.Anonymous;
            }

            return _next(context);
        }

        if (_tokens && JwtSetup.CarriesJwt(context.Request))
        {
            return WithTokenAsync(context);
        }

        var key = ApiKeyHeader.Read(context.Request);
        if (!key.IsEmpty && _keys.Authenticate(key) is { } caller)
        {
            context.User = caller;
        }

        return _next(context);
    }

    internal static bool IsLoopback(IPAddress? address) =>
        address is not null && (IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4())));

    private async Task WithTokenAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(JwtSetup.SchemeName);
        if (result.Succeeded)
        {
            context.User = result.Principal;
        }

        await _next(context);
    }
}
