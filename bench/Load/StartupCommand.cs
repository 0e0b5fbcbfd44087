using System.Diagnostics;
using System.Net.Sockets;

namespace Modelhost.Bench.Load;

/// <summary>
/// <c>load startup --runs N --ready-url URL --out FILE -- COMMAND ARGS</c>: starts the command N times, each time
/// measuring from just before exec to the first 200 from the readiness URL (polled every millisecond or so over a
/// fresh connection), then stops it with SIGTERM. Reports every run and the median.
/// </summary>
internal static class StartupCommand
{
    private const int SigTerm = 15;

    public static int Execute(CommandLine cl)
    {
        var runs = cl.Int("runs", 5);
        var timeout = cl.Double("timeout", 30);
        var readyUrl = cl.Required("ready-url");
        var outPath = cl.Get("out");
        if (cl.Rest.Count == 0)
        {
            throw new ArgumentException("give the server's command after --");
        }

        if (runs < 1 || runs > 50 || timeout <= 0 || timeout > 300)
        {
            throw new ArgumentException("runs must be 1 to 50 and timeout 0 to 300 s");
        }

        using var watchdog = Program.Watchdog(runs * (timeout + 15), "startup");
        var probe = HttpTarget.Create(readyUrl, "GET", [], "", ["Connection: close"]);
        var times = new List<double>();
        var rss = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var (seconds, rssBytes, failure) = StartOnce(cl.Rest, probe, timeout);
            if (failure is not null)
            {
                Console.Error.WriteLine($"load: startup run {run + 1}: {failure}");
                Program.WriteJson(outPath, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("name", "startup");
                    w.WriteString("unavailable", failure);
                    w.WriteEndObject();
                });
                return 3;
            }

            times.Add(seconds);
            rss.Add(rssBytes / 1048576.0);
            Console.Error.WriteLine($"load: startup run {run + 1}: ready after {seconds * 1000:0} ms");
            Thread.Sleep(300);
        }

        Program.WriteJson(outPath, w =>
        {
            w.WriteStartObject();
            w.WriteString("name", "startup");
            w.WriteString("command", string.Join(' ', cl.Rest));
            w.WriteString("ready_url", readyUrl);
            w.WriteStartArray("runs_s");
            foreach (var t in times)
            {
                w.WriteNumberValue(Math.Round(t, 4));
            }

            w.WriteEndArray();
            w.WriteNumber("median_s", Math.Round(Program.Median(times), 4));
            w.WriteNumber("min_s", Math.Round(times.Min(), 4));
            w.WriteNumber("max_s", Math.Round(times.Max(), 4));
            w.WriteNumber("rss_mb_at_ready_median", Math.Round(Program.Median(rss), 1));
            w.WriteEndObject();
        });
        return 0;
    }

    private static (double Seconds, long RssBytes, string? Failure) StartOnce(IReadOnlyList<string> command, HttpTarget probe, double timeout)
    {
        var info = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        var output = new Queue<string>();
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Enqueue(line);
                if (output.Count > 20)
                {
                    output.Dequeue();
                }
            }
        }

        var start = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {command[0]}");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var parser = new ResponseParser();
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var elapsed = Program.SecondsSince(start);
                if (process.HasExited)
                {
                    lock (output)
                    {
                        return (0, 0, $"the server exited with code {process.ExitCode} before it was ready: {string.Join(" | ", output)}");
                    }
                }

                if (elapsed > timeout)
                {
                    return (0, 0, $"not ready after {timeout} s");
                }

                try
                {
                    if (Ask(probe, parser, buffer) == 200)
                    {
                        var seconds = Program.SecondsSince(start);
                        return (seconds, ProcessTree.RssBytes([process.Id]), null);
                    }
                }
                catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
                {
                    // Not listening yet.
                }

                Thread.Sleep(1);
            }
        }
        finally
        {
            Stop(process);
        }
    }

    /// <summary>One request over a fresh blocking connection; returns the status.</summary>
    private static int Ask(HttpTarget probe, ResponseParser parser, byte[] buffer)
    {
        using var socket = new Socket(probe.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = 1000,
            SendTimeout = 1000,
        };
        socket.Connect(probe.EndPoint);
        socket.Send(probe.Request);
        parser.Reset();
        while (true)
        {
            var read = socket.Receive(buffer);
            if (read == 0)
            {
                return parser.EndOfStream() ? parser.Status : throw new EndOfStreamException("the server closed the connection before answering");
            }

            parser.Feed(buffer.AsSpan(0, read), out var complete);
            if (complete)
            {
                return parser.Status;
            }
        }
    }

    private static void Stop(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        NativeMethods.Signal(process.Id, SigTerm);
        if (!process.WaitForExit(TimeSpan.FromSeconds(12)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }
}
