using System.Diagnostics;

namespace Modelhost.Bench.Load;

/// <summary>
/// Watches a server's process tree during a measured window: CPU seconds at the start and the end, and its resident
/// memory sampled every 250 ms for the peak. The tree is re-read at every sample, so workers that start late count.
/// </summary>
internal sealed class ResourceMonitor : IDisposable
{
    private readonly int _pid;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly long[]? _startTicks;
    private long _peakRss;

    private ResourceMonitor(int pid)
    {
        _pid = pid;
        var members = ProcessTree.Members(pid);
        StartCpuSeconds = ProcessTree.CpuSeconds(members);
        StartClientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        StartTimestamp = Stopwatch.GetTimestamp();
        _startTicks = MachineTicks();
        _peakRss = ProcessTree.RssBytes(members);
        _thread = new Thread(Sample) { IsBackground = true, Name = "rss sampler" };
        _thread.Start();
    }

    public double StartCpuSeconds { get; }

    public TimeSpan StartClientCpu { get; }

    public long StartTimestamp { get; }

    /// <summary>Starts watching <paramref name="pid"/>; null if no pid was given.</summary>
    public static ResourceMonitor? Start(int? pid) => pid is { } p ? new ResourceMonitor(p) : null;

    /// <summary>Stops sampling and reads the end of the window.</summary>
    public ResourceFigures Finish()
    {
        _stop.Cancel();
        _thread.Join();
        var members = ProcessTree.Members(_pid);
        var endCpu = ProcessTree.CpuSeconds(members);
        var endRss = ProcessTree.RssBytes(members);
        var elapsed = Stopwatch.GetElapsedTime(StartTimestamp).TotalSeconds;
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - StartClientCpu).TotalSeconds;
        var steal = StealFraction(_startTicks, MachineTicks());
        lock (_lock)
        {
            return new ResourceFigures(_pid, members.Count, endCpu - StartCpuSeconds, elapsed, endRss, Math.Max(_peakRss, endRss), clientCpu, steal);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>The machine's CPU time counters, the "cpu" line of /proc/stat; null if unreadable.</summary>
    private static long[]? MachineTicks()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                return null;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ticks = new long[fields.Length - 1];
            for (var i = 1; i < fields.Length; i++)
            {
                ticks[i - 1] = long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture);
            }

            return ticks;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Steal (the 8th counter) over the sum of user..steal between two readings.</summary>
    private static double StealFraction(long[]? start, long[]? end)
    {
        const int Steal = 7;
        if (start is null || end is null || start.Length <= Steal || end.Length <= Steal)
        {
            return double.NaN;
        }

        long total = 0;
        for (var i = 0; i <= Steal; i++)
        {
            total += end[i] - start[i];
        }

        return total > 0 ? (double)(end[Steal] - start[Steal]) / total : double.NaN;
    }

    private void Sample()
    {
        var token = _stop.Token;
        while (!token.WaitHandle.WaitOne(250))
        {
            var members = ProcessTree.Members(_pid);
            var rss = ProcessTree.RssBytes(members);
            lock (_lock)
            {
                _peakRss = Math.Max(_peakRss, rss);
            }
        }
    }
}
