using Microsoft.Extensions.Hosting;

namespace Modelhost.Server.Hosting;

/// <summary>
/// Gives memory back after a burst. The GC collects only when something allocates, so the garbage of a burst of large
/// requests (decoded images, large bodies on the large object heap) would stay committed for as long as the server is
/// idle. Every few seconds this looks at how much was allocated: after a busy interval (more than
/// <see cref="BurstBytes"/>) followed by a quiet one, it runs one full, compacting collection that returns the freed
/// memory to the operating system. A steadily busy or a steadily idle server is never collected by it.
/// </summary>
internal sealed class IdleMemoryTrimmer(TimeProvider time) : BackgroundService
{
    /// <summary>Allocations since the last trim that make a burst worth trimming after.</summary>
    public const long BurstBytes = 64L * 1024 * 1024;

    /// <summary>At most this much allocated in the last interval counts as quiet.</summary>
    public const long QuietBytes = 4L * 1024 * 1024;

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        var sinceTrim = 0L;
        var last = GC.GetTotalAllocatedBytes();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = GC.GetTotalAllocatedBytes();
                var interval = now - last;
                last = now;
                sinceTrim += interval;
                if (sinceTrim > BurstBytes && interval <= QuietBytes)
                {
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    sinceTrim = 0;
                    last = GC.GetTotalAllocatedBytes();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
