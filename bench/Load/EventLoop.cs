using System.Diagnostics;

namespace Modelhost.Bench.Load;

/// <summary>
/// The load generator's engine, built as wrk is: a few threads (one by default), each driving its share of the
/// connections through epoll with non-blocking sockets. On a 2-core machine that shares its cores with the server,
/// 64 blocking threads would cost the server a context switch per request and a scheduler queue; one loop thread
/// costs a few system calls per request and sleeps in <c>epoll_pwait2</c> between them.
/// <list type="bullet">
/// <item>Closed loop (saturation): each connection sends its next request as soon as the previous answer is in.
/// Latency is from the actual send, so it hides the waiting a steady stream of users would see (coordinated
/// omission); use it for throughput. A response counts if it arrives inside the measured window.</item>
/// <item>Open loop (a fixed rate, whatever the server does): request k is due at start + k / rate and is sent by
/// the first free connection once due; the loop sleeps until the next due time with a nanosecond timeout (1 µs
/// timer slack). If every connection is busy it waits for one and sends late. Latency is from the due time, so a
/// stalled server is charged for every request it delayed (no coordinated omission). With several threads, thread
/// t of T sends requests t, t + T, t + 2T, … over its own connections.</item>
/// </list>
/// </summary>
internal sealed class EventLoop
{
    private long _late;
    private long _maxLagTicks;
    private long _unsent;

    /// <summary>A closed loop, or with <paramref name="rate"/> &gt; 0 an open loop at that many requests per second.</summary>
    public EventLoop(HttpTarget target, int timeoutMs, RunClock clock, double rate)
    {
        Target = target;
        TimeoutMs = timeoutMs;
        Clock = clock;
        Open = rate > 0;
        TicksPerRequest = Open ? Stopwatch.Frequency / rate : 0;
        DrainTicks = RunClock.ToTicks((timeoutMs / 1000.0) + (Open ? 5 : 2));
    }

    public HttpTarget Target { get; }

    /// <summary>The time limit of one request.</summary>
    public int TimeoutMs { get; }

    public RunClock Clock { get; }

    /// <summary>Whether this is an open loop (a fixed rate).</summary>
    public bool Open { get; }

    /// <summary>Open loop: the interval between two requests.</summary>
    public double TicksPerRequest { get; }

    /// <summary>How long after the window in-flight (and, open loop, overdue) requests may still finish.</summary>
    public long DrainTicks { get; }

    /// <summary>Open loop: requests sent more than a millisecond after they were due, because every connection was busy.</summary>
    public long Late => Interlocked.Read(ref _late);

    /// <summary>Open loop: the longest a request waited past its due time for a free connection, in milliseconds.</summary>
    public double MaxSendLagMs => RunClock.ToMilliseconds(Interlocked.Read(ref _maxLagTicks));

    /// <summary>Open loop: requests due in the window but still unsent when the drain after it gave up.</summary>
    public long Unsent => Interlocked.Read(ref _unsent);

    /// <summary>Runs the load on <paramref name="threads"/> loop threads; one log per thread.</summary>
    public List<WorkerLog> Run(int connections, int threads, Action windowStarted, Action windowEnded)
    {
        threads = Math.Clamp(threads, 1, connections);
        var logs = new List<WorkerLog>();
        var workers = new List<Thread>();
        for (var t = 0; t < threads; t++)
        {
            var log = new WorkerLog();
            logs.Add(log);
            var share = (connections / threads) + (t < connections % threads ? 1 : 0);
            var first = t;
            workers.Add(new Thread(() => Work(share, first, threads, log)) { IsBackground = true, Name = $"loop {t}" });
        }

        foreach (var worker in workers)
        {
            worker.Start();
        }

        Clock.SleepUntil(Clock.WindowStart);
        windowStarted();
        Clock.SleepUntil(Clock.WindowEnd);
        windowEnded();

        // Requests in flight at the end finish (or time out) before the loops return; open-loop requests due before
        // the end are still sent and measured, late as they may be, until the drain limit.
        var deadline = Stopwatch.GetTimestamp() + DrainTicks + RunClock.ToTicks(2);
        foreach (var worker in workers)
        {
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0 || !worker.Join(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency)))
            {
                Console.Error.WriteLine("load: a loop did not finish in time after the window");
                break;
            }
        }

        return logs;
    }

    private void Work(int count, long firstTicket, int ticketStep, WorkerLog log)
    {
        using var worker = new LoopWorker(this, count, firstTicket, ticketStep, log);
        worker.Run();
    }

    /// <summary>Counts a request sent late, and keeps the largest lag.</summary>
    internal void SentLate(long lagTicks)
    {
        if (lagTicks > Stopwatch.Frequency / 1000)
        {
            Interlocked.Increment(ref _late);
        }

        var max = Interlocked.Read(ref _maxLagTicks);
        while (lagTicks > max && Interlocked.CompareExchange(ref _maxLagTicks, lagTicks, max) != max)
        {
            max = Interlocked.Read(ref _maxLagTicks);
        }
    }

    /// <summary>Counts a request that the drain after the window gave up on.</summary>
    internal void GaveUp() => Interlocked.Increment(ref _unsent);
}
