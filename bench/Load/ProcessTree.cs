using System.Globalization;

namespace Modelhost.Bench.Load;

/// <summary>CPU time and resident memory of a process and all its descendants (gunicorn's workers, say), from /proc.</summary>
internal static class ProcessTree
{
    private static readonly long _ticksPerSecond = NativeMethods.ClockTicksPerSecond();

    /// <summary>The process and its descendants, found through the parent ids in /proc/*/stat.</summary>
    public static List<int> Members(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var fields = StatFields(pid);
            if (fields is null)
            {
                continue;
            }

            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(pid);
        }

        var members = new List<int> { root };
        for (var i = 0; i < members.Count; i++)
        {
            if (children.TryGetValue(members[i], out var list))
            {
                members.AddRange(list);
            }
        }

        return members;
    }

    /// <summary>User plus system CPU seconds used so far by the given processes (those still alive).</summary>
    public static double CpuSeconds(IEnumerable<int> pids)
    {
        long ticks = 0;
        foreach (var pid in pids)
        {
            if (StatFields(pid) is { } fields)
            {
                // Fields after "(comm)": [0] is state (field 3), so utime (field 14) is [11] and stime (15) is [12].
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
        }

        return (double)ticks / _ticksPerSecond;
    }

    /// <summary>The sum of VmRSS over the given processes, in bytes.</summary>
    public static long RssBytes(IEnumerable<int> pids)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                        total += long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // The process ended.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return total;
    }

    /// <summary>Whether the process exists (and is not a zombie).</summary>
    public static bool IsAlive(int pid) => StatFields(pid) is { } fields && fields[0] != "Z";

    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name may hold spaces and parentheses; the fields start after the last ')'.
        var close = text.LastIndexOf(')');
        return close < 0 ? null : text[(close + 2)..].Split(' ');
    }
}
