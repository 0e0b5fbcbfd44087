using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Modelhost.Core.Inference;
using Modelhost.Core.Models;
using Modelhost.Core.Tensors;

namespace Modelhost.Bench.InProcess;

/// <summary>
/// <c>inprocess batcher</c>: the server's model path without HTTP. Loads a model repository with Modelhost.Core's
/// own <see cref="ModelRepositoryManager"/> (model.yaml, dynamic batcher, instances, session options, executor) and
/// has N concurrent callers send one row each through <see cref="LoadedModel.InferAsync"/>, as the HTTP clients
/// do. Its rows/s against the raw in-process figure shows what batching itself costs; against the HTTP run, what
/// HTTP, JSON and the client on the same cores cost.
/// </summary>
internal static class BatcherRun
{
    public static async Task<(double RowsPerSecond, double CpuMsPerRow)> MeasureAsync(
        string repository, string model, string input, int features, int callers, double warmupSeconds, double seconds)
    {
        var options = new ModelRepositoryOptions { Root = repository };
        await using var manager = new ModelRepositoryManager(options, TimeProvider.System, NullLoggerFactory.Instance);
        await manager.SyncAsync(CancellationToken.None).ConfigureAwait(false);
        using var lease = manager.Acquire(model);
        var row = Bodies.Values(features, seed: 7);

        long counting = 0;
        long rows = 0;
        var stop = 0;
        async Task Caller()
        {
            while (Volatile.Read(ref stop) == 0)
            {
                using var request = new InferenceRequest();
                var tensor = InputTensor.Allocate(input, TensorElementType.Float, [1, features]);
                MemoryMarshal.AsBytes(row.AsSpan()).CopyTo(tensor.Data.Span);
                request.Inputs.Add(tensor);
                using var result = await lease.Model.InferAsync(request, CancellationToken.None).ConfigureAwait(false);
                if (Volatile.Read(ref counting) != 0)
                {
                    Interlocked.Increment(ref rows);
                }
            }
        }

        var tasks = new Task[callers];
        for (var i = 0; i < callers; i++)
        {
            tasks[i] = Task.Run(Caller);
        }

        await Task.Delay(TimeSpan.FromSeconds(warmupSeconds)).ConfigureAwait(false);
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref counting, 1);
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        Volatile.Write(ref counting, 0);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var counted = Interlocked.Read(ref rows);
        return (counted / elapsed, counted == 0 ? double.NaN : cpu / counted);
    }
}
