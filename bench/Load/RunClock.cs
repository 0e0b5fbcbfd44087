using System.Diagnostics;

namespace Modelhost.Bench.Load;

/// <summary>
/// The timeline of one run: warm-up from <see cref="Start"/> to <see cref="WindowStart"/>, then the measured window
/// up to <see cref="End"/>, which comes early if the run reaches its request budget.
/// </summary>
internal sealed class RunClock
{
    private readonly long _maxRequests;
    private long _stopAt = long.MaxValue;
    private long _counted;

    public RunClock(double warmupSeconds, double durationSeconds, long maxRequests)
    {
        _maxRequests = maxRequests;
        Start = Stopwatch.GetTimestamp();
        WindowStart = Start + ToTicks(warmupSeconds);
        WindowEnd = WindowStart + ToTicks(durationSeconds);
    }

    public long Start { get; }

    public long WindowStart { get; }

    /// <summary>The planned end of the window.</summary>
    public long WindowEnd { get; }

    /// <summary>The end of the window: planned, or when the request budget ran out.</summary>
    public long End => Math.Min(WindowEnd, Volatile.Read(ref _stopAt));

    /// <summary>Set once the window has ended early.</summary>
    public ManualResetEventSlim Stopped { get; } = new();

    public static long ToTicks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    public static double ToMilliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>Whether a request sent (or meant to be sent) at <paramref name="start"/> belongs to the window.</summary>
    public bool InWindow(long start) => start >= WindowStart && start < End;

    /// <summary>Counts a measured response; ends the window when the budget is reached.</summary>
    public void Counted()
    {
        if (Interlocked.Increment(ref _counted) >= _maxRequests
            && Interlocked.CompareExchange(ref _stopAt, Stopwatch.GetTimestamp(), long.MaxValue) == long.MaxValue)
        {
            Stopped.Set();
        }
    }

    /// <summary>Sleeps until <paramref name="timestamp"/> or until the window ends early.</summary>
    public void SleepUntil(long timestamp)
    {
        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            Stopped.Wait(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency));
        }
    }

    /// <summary>The window's length in seconds, once it is over.</summary>
    public double WindowSeconds => (double)(End - WindowStart) / Stopwatch.Frequency;
}
