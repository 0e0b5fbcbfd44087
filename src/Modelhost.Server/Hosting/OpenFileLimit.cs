using System.Globalization;
using System.Runtime.InteropServices;
using Modelhost.Server.Configuration;

namespace Modelhost.Server.Hosting;

/// <summary>
/// The process's open-file limit (RLIMIT_NOFILE) against <c>limits.max_connections</c>: every connection is a file
/// descriptor, and the model files, the job database, logs and outgoing sockets need some too. Read at start; when the
/// soft limit is too low and the hard limit suffices, the soft limit is raised to the hard one (as nginx's
/// <c>worker_rlimit_nofile</c> and PostgreSQL's postmaster do); otherwise the server refuses to start.
/// </summary>
internal static partial class OpenFileLimit
{
    /// <summary>Descriptors kept free beside the connections: model files, the database, logs, the repository poll.</summary>
    public const long Headroom = 256;

    private const long NrOpenDefault = 1L << 20;
    private const int RlimitNofileLinux = 7;
    private const int RlimitNofileMac = 8;

    /// <summary>What <see cref="Ensure"/> found and did.</summary>
    /// <param name="Soft">The soft limit in effect now (after any raise); null where it cannot be read (Windows).</param>
    /// <param name="Hard">The hard limit; null where it cannot be read.</param>
    /// <param name="RaisedFrom">The soft limit before it was raised, or null when it was left alone.</param>
    public readonly record struct Outcome(long? Soft, long? Hard, long? RaisedFrom)
    {
        /// <summary>One line for the startup log.</summary>
        public string Describe(int maxConnections) => Soft is not { } soft
            ? string.Create(CultureInfo.InvariantCulture, $"limits.max_connections is {maxConnections}; the open-file limit cannot be read on this platform")
            : RaisedFrom is { } before
                ? string.Create(CultureInfo.InvariantCulture, $"limits.max_connections is {maxConnections}; raised the open-file soft limit from {before} to the hard limit {soft} to leave {Headroom} descriptors for files")
                : string.Create(CultureInfo.InvariantCulture, $"limits.max_connections is {maxConnections}; open-file limit {soft} (hard {Hard})");
    }

    /// <summary>Reads the limit, raises the soft limit if that is needed and enough, or throws.</summary>
    /// <exception cref="ServerConfigException">The hard limit is too low for the connections plus <see cref="Headroom"/>.</exception>
    public static Outcome Ensure(int maxConnections)
    {
        if (!TryGet(out var soft, out var hard))
        {
            return new Outcome(null, null, null);
        }

        var needed = Needed(soft, hard, maxConnections);
        if (needed is null)
        {
            return new Outcome(soft, hard, null);
        }

        if (!TrySet(needed.Value, hard) || !TryGet(out var now, out _) || now < needed.Value)
        {
            throw new ServerConfigException(string.Create(
                CultureInfo.InvariantCulture,
                $"limits.max_connections is {maxConnections}, but the open-file soft limit is {soft} and could not be raised to {needed.Value}; lower limits.max_connections or raise the limit (ulimit -n, LimitNOFILE= in a systemd unit)"));
        }

        return new Outcome(now, hard, soft);
    }

    /// <summary>
    /// Null when <paramref name="soft"/> leaves room for the connections and <see cref="Headroom"/>; else the soft limit to
    /// raise to (the hard limit, up to Linux's default fs.nr_open).
    /// </summary>
    /// <exception cref="ServerConfigException">Even the hard limit is too low.</exception>
    internal static long? Needed(long soft, long hard, int maxConnections)
    {
        var wanted = maxConnections + Headroom;
        if (wanted <= soft)
        {
            return null;
        }

        if (wanted <= hard)
        {
            // Linux refuses a soft limit above fs.nr_open (1048576 by default) even under an unlimited hard one.
            return Math.Min(hard, NrOpenDefault);
        }

        var most = Math.Max(hard - Headroom, 0);
        throw new ServerConfigException(string.Create(
            CultureInfo.InvariantCulture,
            $"limits.max_connections is {maxConnections}, but the process may open only {hard} files (hard limit; soft {soft}) and {Headroom} are kept for model files, the database and logs; set limits.max_connections to {most} or less, or raise the limit (ulimit -n, LimitNOFILE= in a systemd unit)"));
    }

    private static int Resource => OperatingSystem.IsMacOS() ? RlimitNofileMac : RlimitNofileLinux;

    private static bool TryGet(out long soft, out long hard)
    {
        soft = hard = 0;
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) || GetRlimit(Resource, out var limit) != 0)
        {
            return false;
        }

        // RLIM_INFINITY is all ones: read as unsigned, it is past any count of connections.
        soft = (long)Math.Min(limit.Current, long.MaxValue);
        hard = (long)Math.Min(limit.Maximum, long.MaxValue);
        return true;
    }

    private static bool TrySet(long soft, long hard)
    {
        var limit = new Rlimit { Current = (ulong)soft, Maximum = hard == long.MaxValue ? ulong.MaxValue : (ulong)hard };
        return SetRlimit(Resource, in limit) == 0;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, in Rlimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
