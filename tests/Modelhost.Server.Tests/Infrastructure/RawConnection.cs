using System.Net.Sockets;
using System.Text;

namespace Modelhost.Server.Tests.Infrastructure;

/// <summary>
/// A plain TCP connection to the server, for what HttpClient cannot do: hold a connection idle, send a body slowly,
/// or see a connection the server closes. Every read is bounded by a deadline.
/// </summary>
public sealed class RawConnection : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawConnection> OpenAsync(Uri address)
    {
        var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        return new RawConnection(client);
    }

    public static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n";

    public async Task SendAsync(string text)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await _stream.FlushAsync();
    }

    /// <summary>Reads one response (head and a Content-Length body); null when the server closed or reset the connection first.</summary>
    public async Task<RawResponse?> ReadResponseAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            if (await ReadSomeAsync(buffer, deadline.Token) is not (> 0 and var n))
            {
                return null;
            }

            received.AddRange(buffer.AsSpan(0, n));
        }

        var head = Encoding.ASCII.GetString(received.GetRange(0, headEnd).ToArray());
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var body = received.Skip(headEnd + 4).ToList();
        while (body.Count < length)
        {
            if (await ReadSomeAsync(buffer, deadline.Token) is not (> 0 and var n))
            {
                break;
            }

            body.AddRange(buffer.AsSpan(0, n));
        }

        return new RawResponse(status, headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }

    private async Task<int> ReadSomeAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _stream.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException)
        {
            // A reset counts as closed.
            return 0;
        }
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
