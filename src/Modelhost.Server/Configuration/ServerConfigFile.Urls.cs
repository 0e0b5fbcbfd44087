using System.Globalization;
using System.Net;

namespace Modelhost.Server.Configuration;

/// <summary>The listen URLs of <c>urls</c>, <c>grpc.urls</c> and <c>metrics.urls</c>, checked before Kestrel reads them.</summary>
public static partial class ServerConfigFile
{
    /// <summary>
    /// Throws for a URL Kestrel would not bind as written. Kestrel reads what it cannot parse loosely: with a port that is
    /// not a number (<c>http://127.0.0.1:abc</c>) the whole rest becomes a host name, and a host name that is not
    /// <c>localhost</c> binds every interface, on port 80, while the loopback check saw 127.0.0.1.
    /// </summary>
    private static void CheckUrls(ConfigNode value, IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            if (UrlError(url) is { } error)
            {
                throw value.Error($"'{url}' {error}");
            }
        }
    }

    internal static string? UrlError(string url)
    {
        var scheme = url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "http://".Length
            : url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "https://".Length
            : -1;
        if (scheme < 0)
        {
            return "is not an http:// or https:// URL";
        }

        var rest = url[scheme..];

        // Kestrel's Unix domain socket form: http://unix:/run/modelhost.sock.
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            return rest.Length > "unix:/".Length && rest["unix:".Length] == '/' ? null : "names a Unix socket without an absolute path (http://unix:/run/modelhost.sock)";
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (slash != rest.Length - 1)
            {
                return "has a path; Modelhost listens at the root, so give scheme, host and port only";
            }

            rest = rest[..slash];
        }

        string host;
        string? port = null;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(rest[1..close], out _))
            {
                return "has a bracketed host that is not an IPv6 address";
            }

            host = rest[..(close + 1)];
            if (close + 1 < rest.Length)
            {
                if (rest[close + 1] != ':')
                {
                    return "has text after its IPv6 address that is not a port";
                }

                port = rest[(close + 2)..];
            }
        }
        else
        {
            var colon = rest.LastIndexOf(':');
            host = colon < 0 ? rest : rest[..colon];
            port = colon < 0 ? null : rest[(colon + 1)..];
        }

        if (port is not null && !(int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 65535))
        {
            return $"has port '{port}', which is not a number from 0 to 65535";
        }

        // Kestrel's wildcards, an IP address, or a DNS name.
        if (host is "*" or "+" || host.StartsWith('[') || IPAddress.TryParse(host, out _) || IsDnsName(host))
        {
            return null;
        }

        return $"has host '{host}', which is not an IP address, a host name, or '*'";
    }

    private static bool IsDnsName(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
