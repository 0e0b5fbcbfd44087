using System.Runtime.InteropServices;

namespace Modelhost.Bench.Grpc;

/// <summary>The calling thread's CPU clock, which .NET does not expose.</summary>
internal static partial class Native
{
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int clock_gettime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    internal struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
