using Microsoft.AspNetCore.Http;
using Modelhost.Server.Http;

namespace Modelhost.Server.Security;

/// <summary>
/// While the server is anonymous (no keys), accepts only Host headers that name loopback, or the config's
/// <c>auth.allowed_hosts</c>: a web page cannot then reach the API through DNS rebinding (a name of the attacker's that
/// resolves to 127.0.0.1). With keys, a browser has no key to send, so the check is off; with <c>--allow-anonymous</c>
/// anyone may call anyway.
/// </summary>
internal sealed class HostFilterMiddleware
{
    private readonly RequestDelegate _next;
    private readonly KeyRing _keys;
    private readonly SecurityOptions _security;
    private readonly HashSet<string> _allowed;

    public HostFilterMiddleware(RequestDelegate next, KeyRing keys, ServerOptions options)
    {
        _next = next;
        _keys = keys;
        _security = options.Security;
        _allowed = new HashSet<string>(["localhost", "127.0.0.1", "[::1]", "::1"], StringComparer.OrdinalIgnoreCase);
        foreach (var host in _security.AllowedHosts)
        {
            _allowed.Add(host);
        }
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_keys.RequiresCredentials || _security.AllowAnonymous || _allowed.Contains("*"))
        {
            return _next(context);
        }

        var host = context.Request.Host.Host;
        return _allowed.Contains(host) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            ? _next(context)
            : ErrorResponses.WriteAsync(
                context,
                StatusCodes.Status400BadRequest,
                $"the Host header '{Printable(host)}' is not allowed: a server without API keys answers only to loopback names (localhost, 127.0.0.1, [::1]); add the name to auth.allowed_hosts in the server config");
    }

    private static string Printable(string host) => host.Length > 100 ? host[..100] + "..." : host;
}
