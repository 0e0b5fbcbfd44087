using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;

namespace Modelhost.Bench.InProcess;

/// <summary>
/// <c>inprocess prepare --out DIR</c>: writes the bench's models and request bodies.
/// <c>inprocess measure --model FILE --out FILE [--seconds S]</c>: the MLP's rows/s run in-process at batch sizes
/// 1 to 64 in three layouts: one session with the server's default options called from one and from two threads,
/// and two single-threaded sessions with a caller each.
/// <c>inprocess batcher --repo DIR --model NAME --input NAME --features N --out FILE [--callers C] [--warmup S]
/// [--seconds S]</c>: rows/s of one-row requests from C concurrent callers through Modelhost.Core's batcher.
/// <c>inprocess providers --model FILE --providers cuda,cpu [--batch N] [--seconds S]</c>: any model's rows/s on the
/// execution providers given, one JSON line on stdout (bench/gpu/run.sh).
/// <c>inprocess trees --seed-model FILE --out FILE [--seconds S]</c>: the native tree engine against ONNX Runtime (<see cref="TreesRun"/>).
/// <c>inprocess handoff --repo DIR --model NAME --input NAME --features N [--rounds R] [--requests N]</c>: a lone
/// request's batch on a pool thread against on its caller (<see cref="HandoffRun"/>).
/// </summary>
internal static class Program
{
    private static readonly int[] _batchSizes = [1, 2, 4, 8, 16, 32, 64];

    private static int Main(string[] args)
    {
        string? Option(string name)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        switch (args.FirstOrDefault())
        {
            case "prepare" when Option("out") is { } dir:
                Prepare(dir);
                return 0;
            case "measure" when Option("model") is { } model && Option("out") is { } output:
                var seconds = Option("seconds") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 3;
                Measure(model, output, Math.Clamp(seconds, 0.1, 60));
                return 0;
            case "batcher" when Option("repo") is { } repo && Option("model") is { } name && Option("out") is { } output:
                var callers = Option("callers") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 64;
                var warmup = Option("warmup") is { } wu ? double.Parse(wu, CultureInfo.InvariantCulture) : 5;
                var window = Option("seconds") is { } ws ? double.Parse(ws, CultureInfo.InvariantCulture) : 10;
                var features = Option("features") is { } f ? int.Parse(f, CultureInfo.InvariantCulture) : BenchModels.MlpInputs;
                var (rowsPerSecond, cpuMsPerRow) = BatcherRun.MeasureAsync(
                    repo, name, Option("input") ?? "x", features, Math.Clamp(callers, 1, 1024), Math.Clamp(warmup, 0, 120), Math.Clamp(window, 0.1, 120))
                    .GetAwaiter().GetResult();
                File.WriteAllText(output, JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["name"] = Path.GetFileNameWithoutExtension(output),
                    ["repository"] = repo,
                    ["callers"] = callers,
                    ["rows_per_s"] = Math.Round(rowsPerSecond, 1),
                    ["cpu_ms_per_row"] = Math.Round(cpuMsPerRow, 4),
                }) + "\n");
                Console.Error.WriteLine($"inprocess: batcher {repo}: {rowsPerSecond:0} rows/s, {cpuMsPerRow:0.000} ms CPU per row");
                return 0;
            case "providers" when Option("model") is { } providerModel && Option("providers") is { } providers:
                var batch = Option("batch") is { } b ? int.Parse(b, CultureInfo.InvariantCulture) : 1;
                var providerSeconds = Option("seconds") is { } ps ? double.Parse(ps, CultureInfo.InvariantCulture) : 5;
                var (providerRows, msPerRun) = ProviderRun.Measure(providerModel, providers, Math.Clamp(batch, 1, 4096), Math.Clamp(providerSeconds, 0.1, 120));
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["model"] = Path.GetFullPath(providerModel),
                    ["providers"] = providers,
                    ["batch"] = batch,
                    ["rows_per_s"] = Math.Round(providerRows, 1),
                    ["ms_per_run"] = Math.Round(msPerRun, 4),
                }));
                return 0;
            case "handoff" when Option("repo") is { } handoffRepo && Option("model") is { } handoffModel:
                HandoffRun.RunAsync(
                    handoffRepo,
                    handoffModel,
                    Option("input") ?? "x",
                    Option("features") is { } hf ? int.Parse(hf, CultureInfo.InvariantCulture) : BenchModels.MlpInputs,
                    Option("rounds") is { } hr ? Math.Clamp(int.Parse(hr, CultureInfo.InvariantCulture), 1, 1000) : 10,
                    Option("requests") is { } hn ? Math.Clamp(int.Parse(hn, CultureInfo.InvariantCulture), 1, 10_000_000) : 5000).GetAwaiter().GetResult();
                return 0;
            case "trees" when Option("seed-model") is { } seedModel && Option("out") is { } treesOut:
                var treeSeconds = Option("seconds") is { } ts ? double.Parse(ts, CultureInfo.InvariantCulture) : 3;
                TreesRun.Measure(seedModel, treesOut, Math.Clamp(treeSeconds, 0.1, 60));
                return 0;
            default:
                Console.Error.WriteLine("usage: inprocess prepare --out DIR | inprocess measure --model FILE --out FILE [--seconds S]"
                    + " | inprocess batcher --repo DIR --model NAME --out FILE [--input NAME] [--features N] [--callers C] [--warmup S] [--seconds S]"
                    + " | inprocess providers --model FILE --providers cuda,cpu [--batch N] [--seconds S]"
                    + " | inprocess trees --seed-model FILE --out FILE [--seconds S]"
                    + " | inprocess handoff --repo DIR --model NAME [--input NAME] [--features N] [--rounds R] [--requests N]");
                return 2;
        }
    }

    private static void Prepare(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "mlp.onnx"), BenchModels.Mlp());
        File.WriteAllBytes(Path.Combine(dir, "sum.onnx"), BenchModels.Sum());
        File.WriteAllBytes(Path.Combine(dir, "identity.onnx"), BenchModels.Identity());

        var row = Bodies.Values(BenchModels.MlpInputs, seed: 7);
        File.WriteAllBytes(Path.Combine(dir, "mlp_row.json"), Bodies.Json("x", row));

        // The same row with the binary tensor extension both ways: the input as raw floats, output "y" asked for with
        // "binary_data": true.
        var (mlpBinary, mlpHeaderLength) = Bodies.Binary("x", row, binaryOutput: false, binaryOutputs: ["y"]);
        File.WriteAllBytes(Path.Combine(dir, "mlp_row.bin"), mlpBinary);
        File.WriteAllText(Path.Combine(dir, "mlp_row.bin.hlen"), mlpHeaderLength.ToString(CultureInfo.InvariantCulture));

        var large = Bodies.Values(BenchModels.LargeElements, seed: 11);
        File.WriteAllBytes(Path.Combine(dir, "large.json"), Bodies.Json("x", large));
        var (binary, headerLength) = Bodies.Binary("x", large, binaryOutput: false);
        File.WriteAllBytes(Path.Combine(dir, "large.bin"), binary);
        File.WriteAllText(Path.Combine(dir, "large.bin.hlen"), headerLength.ToString(CultureInfo.InvariantCulture));
        var (roundTrip, roundTripHeaderLength) = Bodies.Binary("x", large, binaryOutput: true);
        File.WriteAllBytes(Path.Combine(dir, "large_out.bin"), roundTrip);
        File.WriteAllText(Path.Combine(dir, "large_out.bin.hlen"), roundTripHeaderLength.ToString(CultureInfo.InvariantCulture));
        Console.Error.WriteLine($"inprocess: wrote the models and request bodies to {dir}");
    }

    private static void Measure(string modelPath, string outPath, double seconds)
    {
        // The server's defaults (ModelRepositoryOptions → EngineSessionOptions): ORT's own thread counts, every graph
        // optimization, no spinning; one session shared by 1 or 2 callers. Then the layout of the server's
        // `instances: 2, session: {intra_op_threads: 1}`: two callers with a single-threaded session each.
        var model = File.ReadAllBytes(modelPath);
        var engine = OnnxRuntimeEngine.Instance;
        using var shared = engine.CreateSession(model, new EngineSessionOptions());
        using var single0 = engine.CreateSession(model, new EngineSessionOptions { IntraOpThreads = 1 });
        using var single1 = engine.CreateSession(model, new EngineSessionOptions { IntraOpThreads = 1 });
        (string Layout, IEngineSession[] Sessions)[] layouts =
        [
            ("shared", [shared]),
            ("shared", [shared, shared]),
            ("single_thread_each", [single0, single1]),
        ];
        var results = new List<(int Batch, int Threads, string Layout, double RowsPerSecond, double MsPerRun)>();
        foreach (var (layout, sessions) in layouts)
        {
            foreach (var batch in _batchSizes)
            {
                var (rows, msPerRun) = RowsPerSecond(sessions, batch, seconds);
                results.Add((batch, sessions.Length, layout, rows, msPerRun));
                Console.Error.WriteLine($"inprocess: batch {batch,2}, {sessions.Length} caller(s), {layout}: {rows,8:0} rows/s ({msPerRun:0.000} ms per run)");
            }
        }

        var best = results.MaxBy(r => r.RowsPerSecond);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", "inprocess");
            w.WriteString("model", "mlp 512-2048-2048-512 fp32");
            w.WriteString("onnxruntime", engine.Version);
            w.WriteNumber("seconds_per_point", seconds);
            w.WriteStartArray("points");
            foreach (var (batch, threads, layout, rows, ms) in results)
            {
                w.WriteStartObject();
                w.WriteNumber("batch", batch);
                w.WriteNumber("threads", threads);
                w.WriteString("sessions", layout);
                w.WriteNumber("rows_per_s", Math.Round(rows, 1));
                w.WriteNumber("ms_per_run", Math.Round(ms, 4));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("best");
            w.WriteNumber("batch", best.Batch);
            w.WriteNumber("threads", best.Threads);
            w.WriteString("sessions", best.Layout);
            w.WriteNumber("rows_per_s", Math.Round(best.RowsPerSecond, 1));
            w.WriteEndObject();
            w.WriteEndObject();
        }

        File.WriteAllText(outPath, Encoding.UTF8.GetString(stream.ToArray()) + "\n");
    }

    /// <summary>Runs batches of <paramref name="batch"/> rows from one thread per session given; warm-up first.</summary>
    private static (double RowsPerSecond, double MsPerRun) RowsPerSecond(IEngineSession[] sessions, int batch, double seconds)
    {
        var threads = sessions.Length;
        var inputs = Enumerable.Range(0, threads)
            .Select(t => OnnxRuntimeEngine.Instance.CreateTensor<float>(Bodies.Values(batch * BenchModels.MlpInputs, seed: t).AsMemory(), [batch, BenchModels.MlpInputs]))
            .ToArray();
        try
        {
            string[] inputNames = ["x"];
            string[] outputNames = ["y"];
            void RunOnce(IEngineSession session, EngineValue input)
            {
                var outputs = session.Run(inputNames, [input], outputNames);
                foreach (var output in outputs)
                {
                    output.Dispose();
                }
            }

            // Warm-up: a few runs, at least 0.2 s.
            var warm = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(warm).TotalSeconds < Math.Min(0.2, seconds))
            {
                foreach (var session in sessions.Distinct())
                {
                    RunOnce(session, inputs[0]);
                }
            }

            var runs = new long[threads];
            var start = Stopwatch.GetTimestamp();
            var end = start + (long)(seconds * Stopwatch.Frequency);
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    RunOnce(sessions[t], inputs[t]);
                    runs[t]++;
                }
            })).ToArray();
            foreach (var worker in workers)
            {
                worker.Start();
            }

            foreach (var worker in workers)
            {
                worker.Join();
            }

            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var total = runs.Sum();
            return (total * batch / elapsed, total == 0 ? double.NaN : elapsed * 1000 * threads / total);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }
    }
}
