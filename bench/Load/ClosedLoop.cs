using System.Diagnostics;
using System.Net.Sockets;

namespace Modelhost.Bench.Load;

/// <summary>
/// Saturation: each connection sends its next request as soon as the previous answer is in. Latency is from the
/// actual send, so under saturation it hides the waiting a steady stream of users would see (coordinated omission);
/// use it for throughput, and <see cref="OpenLoop"/> for latency at a given rate. A response counts if it arrives
/// inside the measured window.
/// </summary>
internal static class ClosedLoop
{
    public static List<WorkerLog> Run(HttpTarget target, int connections, int timeoutMs, RunClock clock, Action windowStarted, Action windowEnded)
    {
        var logs = new List<WorkerLog>();
        var threads = new List<Thread>();
        for (var i = 0; i < connections; i++)
        {
            var log = new WorkerLog();
            logs.Add(log);
            threads.Add(new Thread(() => Work(target, timeoutMs, clock, log)) { IsBackground = true, Name = $"conn {i}" });
        }

        foreach (var thread in threads)
        {
            thread.Start();
        }

        clock.SleepUntil(clock.WindowStart);
        windowStarted();
        clock.SleepUntil(clock.WindowEnd);
        windowEnded();

        // A request in flight at the end finishes (or times out) before its connection's thread returns.
        var deadline = Stopwatch.GetTimestamp() + RunClock.ToTicks((timeoutMs / 1000.0) + 2);
        foreach (var thread in threads)
        {
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0 || !thread.Join(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency)))
            {
                Console.Error.WriteLine("load: a connection did not finish in time; its last request is dropped");
                break;
            }
        }

        return logs;
    }

    private static void Work(HttpTarget target, int timeoutMs, RunClock clock, WorkerLog log)
    {
        using var connection = new BenchConnection(target, timeoutMs);
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            if (start >= clock.End)
            {
                return;
            }

            try
            {
                connection.Send();
                var status = connection.Receive();
                var end = Stopwatch.GetTimestamp();
                // Completions in the window count, whenever they started: with a slow server and many connections a
                // request can take longer than the window, and throughput is completions per second in steady state.
                if (end >= clock.WindowStart && end <= clock.End)
                {
                    log.AddResponse(status, end - start);
                    clock.Counted();
                }
            }
            catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
            {
                connection.Close();
                if (clock.InWindow(Stopwatch.GetTimestamp()))
                {
                    log.AddError(e);
                }

                // Don't spin on a server that refuses connections.
                Thread.Sleep(10);
            }
        }
    }
}
