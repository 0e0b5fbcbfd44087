using System.Runtime.InteropServices;

namespace Modelhost.Bench.Load;

/// <summary>The few libc calls the load generator needs: precise sleeps, timer slack, clock ticks and signals.</summary>
internal static partial class NativeMethods
{
    private const int PrSetTimerSlack = 29;
    private const int ScClkTck = 2;

    /// <summary>Sleeps for about <paramref name="nanoseconds"/> with the kernel's high-resolution timers (no spinning).</summary>
    public static void SleepNanoseconds(long nanoseconds)
    {
        if (nanoseconds <= 0)
        {
            return;
        }

        var request = new Timespec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        _ = nanosleep(in request, 0);
    }

    /// <summary>Asks the kernel to wake this thread's timed sleeps within a microsecond rather than 50 µs.</summary>
    public static void TightenTimerSlack() => _ = prctl(PrSetTimerSlack, 1000, 0, 0, 0);

    /// <summary>Clock ticks per second, the unit of utime and stime in /proc/PID/stat.</summary>
    public static long ClockTicksPerSecond()
    {
        var ticks = sysconf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if it failed (e.g. the process is gone).</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int nanosleep(in Timespec request, nint remaining);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long sysconf(int name);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
