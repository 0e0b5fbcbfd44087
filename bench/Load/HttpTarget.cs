using System.Globalization;
using System.Net;
using System.Text;

namespace Modelhost.Bench.Load;

/// <summary>One request, serialized once: HTTP/1.1 with keep-alive, its headers and its body in one byte array.</summary>
internal sealed class HttpTarget
{
    private HttpTarget(Uri uri, IPEndPoint endPoint, string method, byte[] body, string contentType, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Uri = uri;
        EndPoint = endPoint;
        Method = method;
        Body = body;
        ContentType = contentType;
        Headers = headers;

        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{method} {uri.PathAndQuery} HTTP/1.1\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Host: {uri.Host}:{uri.Port}\r\n");
        if (method != "GET" || body.Length > 0)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }

        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        Request = new byte[headBytes.Length + body.Length];
        headBytes.CopyTo(Request, 0);
        body.CopyTo(Request, headBytes.Length);
    }

    public Uri Uri { get; }

    public IPEndPoint EndPoint { get; }

    public string Method { get; }

    public byte[] Body { get; }

    public string ContentType { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The whole request as sent on the wire.</summary>
    public byte[] Request { get; }

    /// <summary>Builds a target; only loopback addresses are accepted.</summary>
    public static HttpTarget Create(string url, string method, byte[] body, string contentType, IEnumerable<string> headerLines)
    {
        var uri = new Uri(url, UriKind.Absolute);
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"only http:// URLs are supported, not '{url}'");
        }

        if (!IPAddress.TryParse(uri.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"the load generator only sends to loopback addresses such as 127.0.0.1, not '{uri.Host}'");
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in headerLines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new ArgumentException($"a header must read 'Name: value', not '{line}'");
            }

            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        return new HttpTarget(uri, new IPEndPoint(address, uri.Port), method, body, contentType, headers);
    }
}
