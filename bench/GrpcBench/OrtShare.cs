using System.Diagnostics;
using System.Globalization;

namespace Modelhost.Bench.Grpc;

/// <summary>
/// The share of a process's CPU spent in ONNX Runtime's own code during a window: <c>perf record -a</c> samples every
/// core (no call graphs, 499 Hz) and <c>perf report --pid --sort dso</c> splits the process's samples by library.
/// Measured during the load, so it needs no reference run at another moment, when the machine may run faster or slower.
/// </summary>
internal sealed class OrtShare
{
    private readonly Process _perf;
    private readonly string _data;
    private readonly int _pid;

    private OrtShare(Process perf, string data, int pid)
    {
        _perf = perf;
        _data = data;
        _pid = pid;
    }

    /// <summary>
    /// Starts sampling for <paramref name="seconds"/> when GRPCBENCH_PERF=1 (bench/run.sh sets it where perf is
    /// installed); null otherwise. System-wide sampling rather than <c>-p PID</c>: following the process's threads,
    /// perf's work on each of their context switches was charged to the server (iris over gRPC 47.5 µs/row against
    /// 30-39 without); sampling every core, the same run read 40.5 and 40.7 against 38.7.
    /// </summary>
    public static OrtShare? Start(int pid, double seconds)
    {
        if (Environment.GetEnvironmentVariable("GRPCBENCH_PERF") != "1" || !File.Exists("/usr/bin/perf"))
        {
            return null;
        }

        var data = Path.Combine(Path.GetTempPath(), $"grpcbench-{Environment.ProcessId}-{pid}.perf");
        var info = new ProcessStartInfo("/usr/bin/perf") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "record", "-q", "-F", "499", "-a", "-o", data, "--", "sleep", seconds.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        return new OrtShare(Process.Start(info)!, data, pid);
    }

    /// <summary>Waits for the window to end; the fraction of the samples in libonnxruntime.so, or null if perf failed.</summary>
    public async Task<double?> ShareAsync()
    {
        try
        {
            var errors = _perf.StandardError.ReadToEndAsync();
            await _perf.WaitForExitAsync();
            if (_perf.ExitCode != 0)
            {
                Console.Error.WriteLine($"perf record failed: {await errors}");
                return null;
            }

            // perf report's warnings (samples it cannot name) go to the bench's own stderr: read back here unread, a
            // full pipe would stall it.
            var info = new ProcessStartInfo("/usr/bin/perf") { UseShellExecute = false, RedirectStandardOutput = true };
            foreach (var a in new[] { "report", "-i", _data, "--pid", _pid.ToString(CultureInfo.InvariantCulture), "--sort", "dso", "--stdio", "-q" })
            {
                info.ArgumentList.Add(a);
            }

            using var report = Process.Start(info)!;
            var text = await report.StandardOutput.ReadToEndAsync();
            await report.WaitForExitAsync();
            double total = 0, ort = 0;
            foreach (var line in text.Split('\n'))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2 || !fields[0].EndsWith('%') || !double.TryParse(fields[0].TrimEnd('%'), CultureInfo.InvariantCulture, out var percent))
                {
                    continue;
                }

                total += percent;
                if (fields[1].Contains("libonnxruntime", StringComparison.Ordinal))
                {
                    ort += percent;
                }
            }

            return total > 0 ? ort / total : null;
        }
        finally
        {
            _perf.Dispose();
            File.Delete(_data);
        }
    }
}
