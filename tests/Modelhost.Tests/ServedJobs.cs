using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Modelhost.Tests;

/// <summary>What the tests that run <c>modelhost serve</c> with jobs share: a free port, signals, and waiting for a job.</summary>
internal static partial class ServedJobs
{
    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Sends <paramref name="signal"/> (9, 15, ...) to a process; 0 when it was sent.</summary>
    public static int Kill(int pid, int signal) => NativeKill(pid, signal);

    /// <summary>Polls <c>GET /v1/jobs/{id}</c> until <paramref name="done"/> holds, for up to 60 s (the server may be starting).</summary>
    public static async Task<JsonElement> WaitForAsync(HttpClient client, long id, Func<JsonElement, bool> done, string what, int pollMilliseconds = 100)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var job = JsonDocument.Parse(await client.GetStringAsync($"/v1/jobs/{id}")).RootElement.Clone();
                if (done(job))
                {
                    return job;
                }

                if (watch.Elapsed > TimeSpan.FromSeconds(60))
                {
                    Assert.Fail($"timed out waiting for {what}: {job}");
                }
            }
            catch (HttpRequestException) when (watch.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            await Task.Delay(pollMilliseconds);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
