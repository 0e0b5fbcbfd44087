using System.Diagnostics;
using System.Net.Sockets;

namespace Modelhost.Bench.Load;

/// <summary>One thread of an <see cref="EventLoop"/>: its connections, its epoll instance and its log.</summary>
internal sealed class LoopWorker : IDisposable
{
    private const int ReceiveBufferBytes = 256 * 1024;

    private readonly EventLoop _loop;
    private readonly RunClock _clock;
    private readonly bool _open;
    private readonly int _epoll;
    private readonly LoopConnection[] _connections;
    private readonly Stack<LoopConnection> _idle;
    private readonly List<LoopConnection> _retrying = [];
    private readonly byte[] _events;
    private readonly byte[] _buffer = new byte[ReceiveBufferBytes];
    private readonly int _ticketStep;
    private readonly WorkerLog _log;
    private long _ticket;
    private int _busy;

    public LoopWorker(EventLoop loop, int connections, long firstTicket, int ticketStep, WorkerLog log)
    {
        _loop = loop;
        _clock = loop.Clock;
        _open = loop.Open;
        _ticket = firstTicket;
        _ticketStep = ticketStep;
        _log = log;
        _epoll = NativeMethods.EpollCreate();
        _connections = new LoopConnection[connections];
        _idle = new Stack<LoopConnection>(connections);
        for (var i = connections - 1; i >= 0; i--)
        {
            _connections[i] = new LoopConnection(loop.Target, _epoll, (ulong)i);
            _idle.Push(_connections[i]);
        }

        _events = new byte[connections * NativeMethods.EpollEventSize];
    }

    public void Run()
    {
        NativeMethods.TightenTimerSlack();
        var nanosPerTick = 1e9 / Stopwatch.Frequency;
        var timeoutTicks = RunClock.ToTicks(_loop.TimeoutMs / 1000.0);
        var checkEvery = RunClock.ToTicks(0.01);
        var pollCap = RunClock.ToTicks(0.05);
        var nextCheck = 0L;
        var ticketsDone = false;
        long endedAt = 0;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            var end = _clock.End;

            // Whatever free connections may send now.
            var due = long.MaxValue;
            if (_open)
            {
                while (!ticketsDone)
                {
                    due = _clock.Start + (long)(_ticket * _loop.TicksPerRequest);
                    if (due >= end)
                    {
                        ticketsDone = true;
                        break;
                    }

                    if (due > now)
                    {
                        break;
                    }

                    if (now > end && now - due > _loop.DrainTicks)
                    {
                        _loop.GaveUp();
                        _ticket += _ticketStep;
                        continue;
                    }

                    if (!_idle.TryPop(out var connection))
                    {
                        break;
                    }

                    _loop.SentLate(now - due);
                    _ticket += _ticketStep;
                    Begin(connection, due, now);
                }
            }
            else
            {
                while (now < end && _idle.TryPop(out var connection))
                {
                    Begin(connection, now, now);
                }
            }

            // Done when nothing more will be sent and nothing is in flight, or when the drain limit is over.
            if (_open ? ticketsDone : now >= end)
            {
                endedAt = endedAt == 0 ? now : endedAt;
                if (_busy == 0 || now - endedAt > _loop.DrainTicks)
                {
                    return;
                }
            }

            // Sleep until the next request is due (if a connection is free for it), a response arrives, or the
            // periodic check (window end, time limits, connections waiting to retry) is due.
            var wake = now + pollCap;
            if (_open && !ticketsDone && _idle.Count > 0)
            {
                wake = Math.Min(wake, due);
            }

            var n = NativeMethods.EpollWait(_epoll, _events, wake <= now ? 0 : (long)((wake - now) * nanosPerTick));
            now = Stopwatch.GetTimestamp();
            for (var e = 0; e < n; e++)
            {
                var (flags, data) = NativeMethods.EpollEvent(_events, e);
                var connection = _connections[(int)data];
                if (!connection.Busy)
                {
                    // The server closed an idle connection (or sent something unasked): drop it; the next use reconnects.
                    connection.Close();
                    continue;
                }

                if (Handle(connection, flags, now) && !_open && now < _clock.End && _idle.TryPop(out var next))
                {
                    // Closed loop: the next request goes out at once, as a client waiting on its answer would.
                    Begin(next, now, now);
                }
            }

            if (now >= nextCheck)
            {
                nextCheck = now + checkEvery;
                Check(now, timeoutTicks);
            }
        }
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        NativeMethods.Close(_epoll);
    }

    /// <summary>Fails requests over their time limit, and frees connections whose retry pause is over.</summary>
    private void Check(long now, long timeoutTicks)
    {
        foreach (var connection in _connections)
        {
            if (connection.Busy && now - connection.SentAt > timeoutTicks)
            {
                Fail(connection, new TimeoutException($"no complete answer within {_loop.TimeoutMs} ms"), now);
            }
        }

        for (var i = _retrying.Count - 1; i >= 0; i--)
        {
            if (_retrying[i].RetryAt <= now)
            {
                _idle.Push(_retrying[i]);
                _retrying.RemoveAt(i);
            }
        }
    }

    private void Begin(LoopConnection connection, long stamp, long now)
    {
        try
        {
            connection.Start(stamp, now);
            _busy++;
        }
        catch (SocketException e)
        {
            _busy++;
            Fail(connection, e, now);
        }
    }

    /// <summary>Handles one epoll event of a busy connection; true once its request is over and the connection free.</summary>
    private bool Handle(LoopConnection connection, uint flags, long now)
    {
        try
        {
            if ((flags & NativeMethods.EpollOut) != 0)
            {
                connection.ContinueSend();
            }

            if ((flags & (NativeMethods.EpollIn | NativeMethods.EpollHup | NativeMethods.EpollRdHup | NativeMethods.EpollErr)) == 0)
            {
                return false;
            }

            var read = connection.Receive(_buffer);
            if (read < 0)
            {
                return false;
            }

            bool complete;
            if (read == 0)
            {
                complete = connection.Parser.EndOfStream();
                if (!complete)
                {
                    throw new EndOfStreamException("the server closed the connection before answering");
                }
            }
            else
            {
                var used = connection.Parser.Feed(_buffer.AsSpan(0, read), out complete);
                if (complete && used != read)
                {
                    throw new InvalidDataException("the server sent more than the response to the request");
                }
            }

            if (!complete)
            {
                return false;
            }

            var parser = connection.Parser;
            if (_open ? _clock.InWindow(connection.Stamp) : now >= _clock.WindowStart && now <= _clock.End)
            {
                _log.AddResponse(parser.Status, now - connection.Stamp);
                _clock.Counted();
            }

            if (parser.KeepAlive && read > 0)
            {
                connection.Completed();
            }
            else
            {
                connection.Close();
            }

            _busy--;
            _idle.Push(connection);
            return true;
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
        {
            Fail(connection, e, now);
            return false;
        }
    }

    /// <summary>A request failed without an answer: logs it, drops the connection and pauses it for 10 ms.</summary>
    private void Fail(LoopConnection connection, Exception error, long now)
    {
        connection.Close();
        _busy--;
        if (_open ? _clock.InWindow(connection.Stamp) : _clock.InWindow(now))
        {
            _log.AddError(error);
        }

        // Don't spin on a server that refuses connections.
        connection.RetryAt = now + RunClock.ToTicks(0.01);
        _retrying.Add(connection);
    }
}
