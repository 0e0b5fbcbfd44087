using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Modelhost.Core.Inference;
using Modelhost.Core.Models;
using Modelhost.Core.Tensors;

namespace Modelhost.Bench.InProcess;

/// <summary>
/// <c>inprocess handoff</c>: what the batcher's thread hand-off costs a lone request on an idle model, and what
/// running it on the caller (<see cref="InferenceRequest.CallerWaits"/>, set by the HTTP routes) saves. One caller
/// sends one-row requests back to back through <see cref="LoadedModel.InferAsync"/>, in rounds that alternate
/// between a batch handed to a pool thread and one run on the caller; prints the median and lower quartile of wall and CPU
/// microseconds per request of each.
/// </summary>
internal static class HandoffRun
{
    public static async Task RunAsync(string repository, string model, string input, int features, int rounds, int requests)
    {
        var options = new ModelRepositoryOptions { Root = repository };
        await using var manager = new ModelRepositoryManager(options, TimeProvider.System, NullLoggerFactory.Instance);
        await manager.SyncAsync(CancellationToken.None).ConfigureAwait(false);
        using var lease = manager.Acquire(model);
        var row = Bodies.Values(features, seed: 7);
        using var process = Process.GetCurrentProcess();

        async Task<(double WallUs, double CpuUs)> Round(bool callerWaits, int count)
        {
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                using var request = new InferenceRequest { CallerWaits = callerWaits };
                var tensor = InputTensor.Allocate(input, TensorElementType.Float, [1, features]);
                MemoryMarshal.AsBytes(row.AsSpan()).CopyTo(tensor.Data.Span);
                request.Inputs.Add(tensor);
                using var result = await lease.Model.InferAsync(request, CancellationToken.None).ConfigureAwait(false);
            }

            var wall = Stopwatch.GetElapsedTime(start).TotalMicroseconds / count;
            process.Refresh();
            return (wall, (process.TotalProcessorTime - cpuStart).TotalMicroseconds / count);
        }

        await Round(false, requests).ConfigureAwait(false);
        await Round(true, requests).ConfigureAwait(false);
        var results = new List<(double WallUs, double CpuUs)>[] { [], [] };
        for (var r = 0; r < rounds; r++)
        {
            foreach (var callerWaits in (r & 1) == 0 ? new[] { false, true } : [true, false])
            {
                results[callerWaits ? 1 : 0].Add(await Round(callerWaits, requests).ConfigureAwait(false));
            }
        }

        // The median, and the lower quartile: on a loaded machine the quieter rounds say more about the code.
        string Median(List<(double WallUs, double CpuUs)> list, Func<(double WallUs, double CpuUs), double> pick)
        {
            var values = list.Select(pick).Order().ToList();
            return string.Create(CultureInfo.InvariantCulture, $"{values[values.Count / 2]:F2} (p25 {values[values.Count / 4]:F2})");
        }

        Console.WriteLine($"handoff {model}: {rounds} rounds of {requests} sequential one-row requests each way");
        Console.WriteLine($"  batch on a pool thread: median {Median(results[0], x => x.WallUs)} µs wall, {Median(results[0], x => x.CpuUs)} µs CPU per request");
        Console.WriteLine($"  batch on the caller:    median {Median(results[1], x => x.WallUs)} µs wall, {Median(results[1], x => x.CpuUs)} µs CPU per request");
    }
}
