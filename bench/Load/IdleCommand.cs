using System.Diagnostics;

namespace Modelhost.Bench.Load;

/// <summary><c>load idle --pid P --seconds S --out FILE</c>: a process tree's CPU while nothing is sent to it, and its RSS.</summary>
internal static class IdleCommand
{
    public static int Execute(CommandLine cl)
    {
        var pid = cl.Int("pid", 0);
        var seconds = cl.Double("seconds", 30);
        var outPath = cl.Get("out");
        if (pid <= 0 || !ProcessTree.IsAlive(pid))
        {
            throw new ArgumentException($"--pid {pid} is not a running process");
        }

        if (seconds <= 0 || seconds > 600)
        {
            throw new ArgumentException("--seconds must be 0 to 600");
        }

        using var watchdog = Program.Watchdog(seconds + 30, "idle");
        var members = ProcessTree.Members(pid);
        var rssStart = ProcessTree.RssBytes(members);
        var cpuStart = ProcessTree.CpuSeconds(members);
        var start = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        members = ProcessTree.Members(pid);
        var cpu = ProcessTree.CpuSeconds(members) - cpuStart;
        var wall = Program.SecondsSince(start);
        var rssEnd = ProcessTree.RssBytes(members);
        if (!ProcessTree.IsAlive(pid))
        {
            throw new ArgumentException($"process {pid} ended during the idle measurement");
        }

        Program.WriteJson(outPath, w =>
        {
            w.WriteStartObject();
            w.WriteString("name", "idle");
            w.WriteNumber("pid", pid);
            w.WriteNumber("window_s", Math.Round(wall, 3));
            w.WriteNumber("cpu_s", Math.Round(cpu, 3));
            w.WriteNumber("cpu_pct", Math.Round(100 * cpu / wall, 3));
            w.WriteNumber("rss_mb_start", Math.Round(rssStart / 1048576.0, 1));
            w.WriteNumber("rss_mb_end", Math.Round(rssEnd / 1048576.0, 1));
            w.WriteEndObject();
        });
        Console.Error.WriteLine($"load: idle: {100 * cpu / wall:0.00}% CPU over {wall:0.0} s, RSS {rssStart / 1048576.0:0} MB");
        return 0;
    }
}
