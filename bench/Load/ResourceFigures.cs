namespace Modelhost.Bench.Load;

/// <summary>A server's resource use over a measured window, and the load generator's own CPU over it.</summary>
/// <param name="Pid">The server's root process.</param>
/// <param name="Processes">How many processes its tree had at the end.</param>
/// <param name="CpuSeconds">User plus system CPU seconds of the tree in the window.</param>
/// <param name="WallSeconds">The window's length.</param>
/// <param name="RssBytesEnd">Resident memory of the tree at the end.</param>
/// <param name="RssBytesPeak">The largest resident memory sampled.</param>
/// <param name="ClientCpuSeconds">The load generator's own CPU seconds in the window.</param>
/// <param name="StealFraction">
/// The share of the machine's CPU time in the window that the hypervisor gave to other guests ("steal" in
/// /proc/stat); NaN where that is not available. Above a few percent, latencies carry the host's pauses.
/// </param>
internal sealed record ResourceFigures(
    int Pid,
    int Processes,
    double CpuSeconds,
    double WallSeconds,
    long RssBytesEnd,
    long RssBytesPeak,
    double ClientCpuSeconds,
    double StealFraction);
