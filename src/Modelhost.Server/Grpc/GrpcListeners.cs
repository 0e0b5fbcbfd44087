using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Kestrel's endpoints when gRPC is on: every <c>urls</c> entry for HTTP/1.1 and HTTP/2, every <c>grpc.urls</c> entry for
/// HTTP/2 alone with its connections marked (<see cref="GrpcConnectionFeature"/>). Explicit endpoints replace
/// <c>UseUrls</c>, which cannot tell the two apart. Remembers the gRPC endpoints, whose ports are known once bound.
/// </summary>
internal sealed class GrpcListeners
{
    private readonly List<(ListenOptions Listen, bool Https)> _grpc = [];

    /// <summary>The gRPC addresses as bound, e.g. <c>http://127.0.0.1:8081</c> (a port 0 replaced by the real one).</summary>
    public IReadOnlyList<string> Addresses()
    {
        var addresses = new List<string>(_grpc.Count);
        foreach (var (listen, https) in _grpc)
        {
            var scheme = https ? "https" : "http";
            addresses.Add(listen.EndPoint is IPEndPoint ip
                ? string.Create(CultureInfo.InvariantCulture, $"{scheme}://{(ip.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip.Address}]" : ip.Address.ToString())}:{ip.Port}")
                : $"{scheme}://{listen}");
        }

        return addresses;
    }

    public void Listen(KestrelServerOptions kestrel, ServerOptions options)
    {
        foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Listen(kestrel, url, grpc: false);
        }

        foreach (var url in options.Grpc.UrlList())
        {
            Listen(kestrel, url, grpc: true);
        }
    }

    private void Listen(KestrelServerOptions kestrel, string url, bool grpc)
    {
        var address = BindingAddress.Parse(url);
        var https = address.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase);
        void Configure(ListenOptions listen)
        {
            // gRPC needs HTTP/2; without TLS there is no ALPN to choose, so its port speaks HTTP/2 alone. An HTTP port
            // without TLS speaks HTTP/1.1 only: Kestrel would not offer HTTP/2 there anyway, and warned at every start.
            listen.Protocols = grpc ? HttpProtocols.Http2 : https ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
            if (https)
            {
                listen.UseHttps();
            }

            if (grpc)
            {
                listen.Use(next => connection =>
                {
                    connection.Features.Set(GrpcConnectionFeature.Instance);
                    return next(connection);
                });
                _grpc.Add((listen, https));
            }
        }

        if (address.IsUnixPipe)
        {
            kestrel.ListenUnixSocket(address.UnixPipePath, Configure);
        }
        else if (address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, address.Port, Configure);
        }
        else
        {
            // "*", "+" or a host name: every address, as UseUrls does.
            kestrel.ListenAnyIP(address.Port, Configure);
        }
    }
}
