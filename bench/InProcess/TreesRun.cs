using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Modelhost.Core.Engine;
using Modelhost.Core.Engine.OnnxRuntime;
using Modelhost.Core.Engine.Trees;
using Modelhost.Testing;

namespace Modelhost.Bench.InProcess;

/// <summary>
/// <c>inprocess trees --seed-model FILE --out FILE [--seconds S]</c>: rows per CPU-second of the native tree engine against ONNX
/// Runtime, in process, one caller, at batch 1 and 64, on the seed's forest and on a 500-tree depth-8 regressor with 50
/// features. Both engines run single-threaded (the seed model's <c>intra_op_threads: 1</c>).
/// </summary>
internal static class TreesRun
{
    // Each run takes the next of this many different inputs: a row repeated run after run would let the branch
    // predictor learn its paths through the trees, which no real stream of requests allows.
    private const int Variants = 256;

    private const int Rounds = 10;

    private static readonly int[] _batches = [1, 64];

    public static void Measure(string seedModel, string outPath, double seconds)
    {
        var big = new RandomTreeEnsemble { Seed = 500, Trees = 500, Depth = 8, Full = true, Features = 50, Aggregate = "SUM", Grid = 64 };
        (string Name, byte[] Model, int Features, Func<int, float[]> Rows)[] models =
        [
            ("seed forest (" + Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(seedModel)))) + ")", File.ReadAllBytes(seedModel), 4, n => Bodies.Values(n * 4, seed: 3).Select(v => Math.Abs(v) * 7).ToArray()),
            ("regressor 500 trees, depth 8, 50 features", big.ToBytes(), 50, n => big.Rows(n, seed: 5)),
        ];
        var options = new EngineSessionOptions { IntraOpThreads = 1 };
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", "trees");
            w.WriteString("onnxruntime", OnnxRuntimeEngine.Instance.Version);
            w.WriteNumber("seconds_per_point", seconds);
            w.WriteStartArray("points");
            foreach (var (name, model, features, rows) in models)
            {
                using var ort = OnnxRuntimeEngine.Instance.CreateSession(model, options);
                using var trees = TreeEnsembleEngine.Instance.CreateSession(model, options);
                foreach (var batch in _batches)
                {
                    var x = rows(batch * Variants);
                    // Short windows, the two engines alternating, the best window of each: on a loaded machine that is
                    // the one least disturbed by other processes, and both engines see the same spread of disturbance.
                    double ortRows = 0, treeRows = 0;
                    for (var round = 0; round < Rounds; round++)
                    {
                        ortRows = Math.Max(ortRows, RowsPerSecond(OnnxRuntimeEngine.Instance, ort, x, batch, features, seconds / Rounds));
                        treeRows = Math.Max(treeRows, RowsPerSecond(TreeEnsembleEngine.Instance, trees, x, batch, features, seconds / Rounds));
                    }

                    Console.Error.WriteLine($"inprocess: trees {name}, batch {batch}: ORT {ortRows:0} rows/s, trees {treeRows:0} rows/s, {treeRows / ortRows:0.00}x");
                    w.WriteStartObject();
                    w.WriteString("model", name);
                    w.WriteNumber("batch", batch);
                    w.WriteNumber("onnxruntime_rows_per_s", Math.Round(ortRows, 1));
                    w.WriteNumber("trees_rows_per_s", Math.Round(treeRows, 1));
                    w.WriteNumber("ratio", Math.Round(treeRows / ortRows, 2));
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        File.WriteAllText(outPath, Encoding.UTF8.GetString(stream.ToArray()) + "\n");
    }

    private static double RowsPerSecond(IInferenceEngine engine, IEngineSession session, float[] x, int batch, int features, double seconds)
    {
        string[] inputNames = [session.Inputs[0].Name];
        var outputNames = session.Outputs.Select(o => o.Name).ToArray();
        var next = 0;
        void RunOnce()
        {
            // A request's shape: the input made for this run, every output read, all released.
            var variant = next++ % Variants;
            using var input = engine.CreateTensor<float>(x.AsMemory(variant * batch * features, batch * features), [batch, features]);
            foreach (var output in session.Run(inputNames, [input], outputNames))
            {
                output.Dispose();
            }
        }

        var warm = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warm).TotalSeconds < Math.Min(0.05, seconds))
        {
            RunOnce();
        }

        // Rows per second of this process's CPU time, not of the wall clock: on a loaded machine the wall clock counts the
        // time other processes hold the cores. Both engines run on the calling thread (intra_op_threads: 1).
        long runs = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(seconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            RunOnce();
            runs++;
        }

        return runs * batch / (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    }
}
