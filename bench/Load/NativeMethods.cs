using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Modelhost.Bench.Load;

/// <summary>The few libc calls the load generator needs: epoll, timer slack, clock ticks and signals.</summary>
internal static partial class NativeMethods
{
    private const int PrSetTimerSlack = 29;
    private const int ScClkTck = 2;

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

    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;

    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollCtlMod = 3;
    private const int Eintr = 4;

    /// <summary>
    /// The size of one <c>struct epoll_event</c>: the kernel packs it (4-byte events, 8-byte data) on x86-64 only.
    /// </summary>
    public static int EpollEventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static int EpollDataOffset => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary>A new epoll instance; its file descriptor.</summary>
    public static int EpollCreate()
    {
        var fd = epoll_create1(EpollCloexec);
        return fd >= 0 ? fd : throw new IOException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>Adds, changes (<paramref name="add"/> false) the interest in <paramref name="fd"/>, tagged with <paramref name="data"/>.</summary>
    public static void EpollSet(int epoll, int fd, uint events, ulong data, bool add)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(ev, events);
        BinaryPrimitives.WriteUInt64LittleEndian(ev[EpollDataOffset..], data);
        if (epoll_ctl(epoll, add ? EpollCtlAdd : EpollCtlMod, fd, ref MemoryMarshal.GetReference(ev)) != 0)
        {
            throw new IOException($"epoll_ctl failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>Removes <paramref name="fd"/> from the epoll instance (before the socket is closed).</summary>
    public static void EpollRemove(int epoll, int fd)
    {
        Span<byte> ev = stackalloc byte[16];
        _ = epoll_ctl(epoll, EpollCtlDel, fd, ref MemoryMarshal.GetReference(ev));
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutNanoseconds"/> (negative: no limit) for events; returns how many were
    /// written to <paramref name="events"/> (0 on timeout or on a signal).
    /// </summary>
    public static int EpollWait(int epoll, Span<byte> events, long timeoutNanoseconds)
    {
        var max = events.Length / EpollEventSize;
        int n;
        if (timeoutNanoseconds < 0)
        {
            n = epoll_pwait2(epoll, ref MemoryMarshal.GetReference(events), max, 0, 0);
        }
        else
        {
            var timeout = new Timespec { Seconds = timeoutNanoseconds / 1_000_000_000, Nanoseconds = timeoutNanoseconds % 1_000_000_000 };
            unsafe
            {
                n = epoll_pwait2(epoll, ref MemoryMarshal.GetReference(events), max, (nint)(&timeout), 0);
            }
        }

        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Eintr ? 0 : throw new IOException($"epoll_pwait2 failed (errno {errno})");
        }

        return n;
    }

    /// <summary>The events and data of the <paramref name="index"/>th event written by <see cref="EpollWait"/>.</summary>
    public static (uint Events, ulong Data) EpollEvent(ReadOnlySpan<byte> events, int index)
    {
        var ev = events.Slice(index * EpollEventSize, EpollEventSize);
        return (BinaryPrimitives.ReadUInt32LittleEndian(ev), BinaryPrimitives.ReadUInt64LittleEndian(ev[EpollDataOffset..]));
    }

    /// <summary>Closes a file descriptor this program opened itself.</summary>
    public static void Close(int fd) => _ = close(fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int op, int fd, ref byte ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_pwait2(int epoll, ref byte events, int maxEvents, nint timeout, nint sigmask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

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
