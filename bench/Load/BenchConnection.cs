using System.Net.Sockets;

namespace Modelhost.Bench.Load;

/// <summary>One client connection with blocking I/O; reconnects when the server closes it (e.g. gunicorn's sync workers).</summary>
internal sealed class BenchConnection : IDisposable
{
    private readonly HttpTarget _target;
    private readonly int _timeoutMs;
    private readonly ResponseReader _reader = new();
    private Socket? _socket;

    public BenchConnection(HttpTarget target, int timeoutMs)
    {
        _target = target;
        _timeoutMs = timeoutMs;
    }

    /// <summary>Sends the request, connecting first if needed.</summary>
    public void Send()
    {
        var socket = _socket ??= Connect();
        var request = _target.Request;
        var sent = 0;
        while (sent < request.Length)
        {
            sent += socket.Send(request, sent, request.Length - sent, SocketFlags.None);
        }
    }

    /// <summary>Reads the response to the request sent last; returns its status code.</summary>
    public int Receive()
    {
        var socket = _socket ?? throw new InvalidOperationException("nothing was sent");
        var status = _reader.Read(socket, out var keepAlive);
        if (!keepAlive)
        {
            Close();
        }

        return status;
    }

    /// <summary>Drops the connection (after an error, or when the server asked for it).</summary>
    public void Close()
    {
        _socket?.Dispose();
        _socket = null;
        _reader.Reset();
    }

    public void Dispose() => Close();

    private Socket Connect()
    {
        var socket = new Socket(_target.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = _timeoutMs,
            SendTimeout = _timeoutMs,
        };
        try
        {
            socket.Connect(_target.EndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return socket;
    }
}
