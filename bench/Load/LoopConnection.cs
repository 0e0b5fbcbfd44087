using System.Net.Sockets;

namespace Modelhost.Bench.Load;

/// <summary>
/// One client connection of an <see cref="EventLoop"/>: a non-blocking socket, the request being sent and the
/// response being parsed. Connects lazily and again after the server closes (e.g. gunicorn's sync workers).
/// </summary>
internal sealed class LoopConnection : IDisposable
{
    private readonly HttpTarget _target;
    private readonly int _epoll;
    private readonly ulong _tag;
    private Socket? _socket;
    private int _fd;
    private int _sent;
    private bool _wantWrite;

    public LoopConnection(HttpTarget target, int epoll, ulong tag)
    {
        _target = target;
        _epoll = epoll;
        _tag = tag;
    }

    /// <summary>Parses what the server sends back.</summary>
    public ResponseParser Parser { get; } = new();

    /// <summary>Whether a request is out and its response not complete yet.</summary>
    public bool Busy { get; private set; }

    /// <summary>What latency is measured from: the actual send (closed loop) or the due time (open loop).</summary>
    public long Stamp { get; private set; }

    /// <summary>When the request was actually sent, for its time limit.</summary>
    public long SentAt { get; private set; }

    /// <summary>Not before this timestamp may the connection be used again (after a failure).</summary>
    public long RetryAt { get; set; }

    /// <summary>Starts a request: connects if needed and writes as much of it as the socket takes.</summary>
    /// <exception cref="SocketException">Connecting or sending failed.</exception>
    public void Start(long stamp, long now)
    {
        Stamp = stamp;
        SentAt = now;
        if (_socket is null)
        {
            Connect();
        }

        Busy = true;
        _sent = 0;
        Parser.Reset();
        ContinueSend();
    }

    /// <summary>Writes more of the request after the socket became writable.</summary>
    /// <exception cref="SocketException">Sending failed.</exception>
    public void ContinueSend()
    {
        var request = _target.Request;
        while (_sent < request.Length)
        {
            var n = _socket!.Send(request, _sent, request.Length - _sent, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                WantWrite(true);
                return;
            }

            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            _sent += n;
        }

        WantWrite(false);
    }

    /// <summary>
    /// Reads what has arrived into <paramref name="buffer"/>. Returns the byte count, 0 when the server closed the
    /// connection, or -1 when nothing was there after all.
    /// </summary>
    /// <exception cref="SocketException">Receiving failed.</exception>
    public int Receive(byte[] buffer)
    {
        var n = _socket!.Receive(buffer, 0, buffer.Length, SocketFlags.None, out var error);
        return error switch
        {
            SocketError.Success => n,
            SocketError.WouldBlock => -1,
            _ => throw new SocketException((int)error),
        };
    }

    /// <summary>The response is complete: the connection is free for the next request.</summary>
    public void Completed() => Busy = false;

    /// <summary>Drops the connection (after an error, or when the server asked for it); the next start reconnects.</summary>
    public void Close()
    {
        Busy = false;
        if (_socket is not null)
        {
            NativeMethods.EpollRemove(_epoll, _fd);
            _socket.Dispose();
            _socket = null;
        }

        Parser.Reset();
    }

    public void Dispose() => Close();

    private void Connect()
    {
        var socket = new Socket(_target.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // A blocking connect on loopback is answered by the kernel at once (or refused).
            socket.Connect(_target.EndPoint);
            socket.Blocking = false;
            _fd = (int)socket.Handle;
            NativeMethods.EpollSet(_epoll, _fd, NativeMethods.EpollIn | NativeMethods.EpollRdHup, _tag, add: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _wantWrite = false;
    }

    private void WantWrite(bool want)
    {
        if (want != _wantWrite)
        {
            var events = NativeMethods.EpollIn | NativeMethods.EpollRdHup | (want ? NativeMethods.EpollOut : 0);
            NativeMethods.EpollSet(_epoll, _fd, events, _tag, add: false);
            _wantWrite = want;
        }
    }
}
