using System.Net;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Modelhost.Server.Security;

/// <summary>
/// Authenticates a request by its API key. A server without keys serves anonymous callers, from loopback addresses only
/// unless <c>--allow-anonymous</c> was given; a key sent to such a server is ignored, so the seed's clients, which always
/// send <c>X-Api-Token</c>, keep working against the local demo.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    public const string SchemeName = "ApiKey";

    private readonly KeyRing _keys;
    private readonly SecurityOptions _security;

    public ApiKeyAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        KeyRing keys,
        ServerOptions server)
        : base(options, logger, encoder)
    {
        _keys = keys;
        _security = server.Security;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!_keys.RequiresCredentials)
        {
            return Task.FromResult(_security.AllowAnonymous || IsLoopback(Context.Connection.RemoteIpAddress)
                ? AuthenticateResult.Success(AnonymousTicket)
                : AuthenticateResult.NoResult());
        }

        var key = ApiKeyHeader.Read(Request);
        if (key.IsEmpty)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var ticket = _keys.Authenticate(key);
        return Task.FromResult(ticket is null ? AuthenticateResult.Fail("unknown or revoked API key") : AuthenticateResult.Success(ticket));
    }

    private static AuthenticationTicket AnonymousTicket { get; } = new(CallerIdentity.Anonymous, SchemeName);

    internal static bool IsLoopback(IPAddress? address) =>
        address is not null && (IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4())));
}
