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
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _allowedSpans;
    private readonly bool _allowAll;

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

        _allowedSpans = _allowed.GetAlternateLookup<ReadOnlySpan<char>>();
        _allowAll = _security.AllowAnonymous || _allowed.Contains("*");
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_allowAll || _keys.RequiresCredentials)
        {
            return _next(context);
        }

        // The name without the port, read in place: HttpRequest.Host.Host would allocate a string per request.
        if (!TryHostName(context.Request.Headers.Host.ToString(), out var host))
        {
            host = context.Request.Host.Host;
        }

        if (_allowedSpans.Contains(host) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return _next(context);
        }

        var message = $"the Host header '{Printable(host.ToString())}' is not allowed: a server without API keys answers only to loopback names (localhost, 127.0.0.1, [::1]); add the name to auth.allowed_hosts in the server config";
        return Grpc.GrpcRefusal.IsGrpc(context)
            ? Grpc.GrpcRefusal.WriteAsync(context, global::Grpc.Core.StatusCode.PermissionDenied, message)
            : ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, message);
    }

    /// <summary>
    /// The name in a Host header value, without the port, as <see cref="HostString.Host"/> gives it; false for the rare
    /// values that it rewrites (internationalized names, IPv6 addresses without brackets), which take that way instead.
    /// </summary>
    internal static bool TryHostName(ReadOnlySpan<char> value, out ReadOnlySpan<char> name)
    {
        name = value;
        if (value.Contains("xn--", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']');
            name = close < 0 ? value : value[..(close + 1)];
            return true;
        }

        // One colon separates the port; more than one is an IPv6 address without brackets.
        var colon = value.IndexOf(':');
        if (colon >= 0 && value.LastIndexOf(':') != colon)
        {
            return false;
        }

        name = colon >= 0 ? value[..colon] : value;
        return true;
    }

    private static string Printable(string host) => host.Length > 100 ? host[..100] + "..." : host;
}
