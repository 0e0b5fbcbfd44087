using System.Diagnostics;
using System.Net.Sockets;

namespace Modelhost.Bench.Load;

/// <summary>
/// A fixed offered rate, whatever the server does: request k is due at start + k / rate. Each connection's thread
/// takes the next unclaimed k when it is free, sleeps until that request is due and sends it; if every connection
/// was busy when it fell due, the first to free up sends it late. Latency is measured from the due time, not the
/// actual send, so a stalled server is charged for every request it delayed (no coordinated omission). Sleeps use
/// nanosleep with a 1 µs timer slack: no spinning, which would steal a core from the server on a small machine,
/// and no hand-off between threads on the way out.
/// </summary>
internal sealed class OpenLoop
{
    private readonly HttpTarget _target;
    private readonly int _timeoutMs;
    private readonly RunClock _clock;
    private readonly double _ticksPerRequest;
    private readonly long _drainTicks;
    private long _nextTicket = -1;
    private long _late;
    private long _maxLagTicks;
    private long _unsent;

    public OpenLoop(HttpTarget target, int timeoutMs, RunClock clock, double rate)
    {
        _target = target;
        _timeoutMs = timeoutMs;
        _clock = clock;
        _ticksPerRequest = Stopwatch.Frequency / rate;
        _drainTicks = RunClock.ToTicks((timeoutMs / 1000.0) + 5);
    }

    /// <summary>Requests sent more than a millisecond after they were due, because every connection was busy.</summary>
    public long Late => Interlocked.Read(ref _late);

    /// <summary>The longest a request waited past its due time for a free connection, in milliseconds.</summary>
    public double MaxSendLagMs => RunClock.ToMilliseconds(Interlocked.Read(ref _maxLagTicks));

    /// <summary>Requests due in the window but still unsent when the drain after it gave up (the server could not keep up).</summary>
    public long Unsent => Interlocked.Read(ref _unsent);

    public List<WorkerLog> Run(int connections, Action windowStarted, Action windowEnded)
    {
        var logs = new List<WorkerLog>();
        var threads = new List<Thread>();
        for (var i = 0; i < connections; i++)
        {
            var log = new WorkerLog();
            logs.Add(log);
            threads.Add(new Thread(() => Work(log)) { IsBackground = true, Name = $"conn {i}" });
        }

        foreach (var thread in threads)
        {
            thread.Start();
        }

        _clock.SleepUntil(_clock.WindowStart);
        windowStarted();
        _clock.SleepUntil(_clock.WindowEnd);
        windowEnded();

        // Requests due before the end are still sent and measured, late as they may be, until the drain limit.
        var deadline = Stopwatch.GetTimestamp() + _drainTicks + RunClock.ToTicks(2);
        foreach (var thread in threads)
        {
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0 || !thread.Join(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency)))
            {
                Console.Error.WriteLine("load: a connection did not finish in time after the window");
                break;
            }
        }

        return logs;
    }

    private void Work(WorkerLog log)
    {
        NativeMethods.TightenTimerSlack();
        var nanosPerTick = 1e9 / Stopwatch.Frequency;
        using var connection = new BenchConnection(_target, _timeoutMs);
        while (true)
        {
            var k = Interlocked.Increment(ref _nextTicket);
            var due = _clock.Start + (long)(k * _ticksPerRequest);
            var end = _clock.End;
            if (due >= end)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            if (due > now)
            {
                NativeMethods.SleepNanoseconds((long)((due - now) * nanosPerTick));
            }
            else if (now - due > _drainTicks && now > end)
            {
                // The window is over and this request has waited longer than the drain allows: give up on the rest.
                Interlocked.Increment(ref _unsent);
                continue;
            }
            else
            {
                var lag = now - due;
                if (lag > Stopwatch.Frequency / 1000)
                {
                    Interlocked.Increment(ref _late);
                }

                var max = Interlocked.Read(ref _maxLagTicks);
                while (lag > max && Interlocked.CompareExchange(ref _maxLagTicks, lag, max) != max)
                {
                    max = Interlocked.Read(ref _maxLagTicks);
                }
            }

            try
            {
                connection.Send();
                var status = connection.Receive();
                var done = Stopwatch.GetTimestamp();
                if (_clock.InWindow(due))
                {
                    log.AddResponse(status, done - due);
                    _clock.Counted();
                }
            }
            catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
            {
                connection.Close();
                if (_clock.InWindow(due))
                {
                    log.AddError(e);
                }
            }
        }
    }
}
