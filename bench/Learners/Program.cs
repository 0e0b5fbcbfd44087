using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Modelhost.Learning;
using Modelhost.Learning.Data;
using Modelhost.Learning.Linear;
using Modelhost.Learning.Metrics;
using Modelhost.Learning.Trees;

namespace Modelhost.Bench.Learners;

/// <summary>
/// <c>learners --data DIR --out FILE [--repetitions N] [--splits FILE]</c>: trains the random forest (300 trees, seed
/// 1234, with 1 and 2 threads) and logistic regression on iris.csv and wine.csv from DIR, scores them on the test rows
/// and times the training (unmeasured warm-up runs, then N repetitions; wall and process CPU time). The test rows are
/// those listed in the splits file (written by the scikit-learn peer, so both sides score the same rows); without
/// one, Modelhost's own stratified 30% split with seed 1234.
/// </summary>
internal static class Program
{
    private const int Seed = 1234;
    private const int Trees = 300;
    private const double TestSize = 0.3;

    private static readonly (string Name, string Target)[] _datasets = [("iris", "species"), ("wine", "cultivar")];

    private static int Main(string[] args)
    {
        string? Option(string name)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        if (Option("data") is not { } dataDir || Option("out") is not { } output)
        {
            Console.Error.WriteLine("usage: learners --data DIR --out FILE [--repetitions N] [--splits FILE]");
            return 2;
        }

        var repetitions = Option("repetitions") is { } r ? Math.Clamp(int.Parse(r, CultureInfo.InvariantCulture), 1, 1000) : 10;
        var splits = Option("splits") is { } splitFile ? ReadSplits(splitFile) : null;
        var results = new List<LearnerResult>();
        foreach (var (name, target) in _datasets)
        {
            var data = TabularDataset.LoadCsv(Path.Combine(dataDir, name + ".csv"), target);
            var (train, test) = Split(data, splits?.GetValueOrDefault(name));
            foreach (var threads in (int[])[1, 2])
            {
                var options = new RandomForestOptions { Trees = Trees, Seed = Seed, MaxDegreeOfParallelism = threads };
                results.Add(Measure(name, "random_forest", threads, train, test, repetitions, () => RandomForestClassifier.Train(train, options)));
            }

            results.Add(Measure(name, "logistic_regression", 1, train, test, repetitions, () => LogisticRegression.Train(train)));
        }

        Write(output, results, repetitions, splits is null ? "modelhost" : "sklearn");
        return 0;
    }

    private static (TabularDataset Train, TabularDataset Test) Split(TabularDataset data, int[]? testRows)
    {
        if (testRows is null)
        {
            return data.TrainTestSplit(TestSize, Seed, stratify: true);
        }

        var isTest = new bool[data.RowCount];
        foreach (var row in testRows)
        {
            isTest[row] = true;
        }

        var trainRows = new List<int>();
        for (var i = 0; i < isTest.Length; i++)
        {
            if (!isTest[i])
            {
                trainRows.Add(i);
            }
        }

        return (data.Subset(CollectionsMarshal.AsSpan(trainRows)), data.Subset(testRows));
    }

    private static LearnerResult Measure(
        string dataset, string model, int threads, TabularDataset train, TabularDataset test, int repetitions, Func<ITabularClassifier> fit)
    {
        // Unmeasured runs first, as the Python peer's warm-up run: at least 5 and 1 s (at most 200), so that tiered
        // compilation has replaced the first-call code before the measurement.
        var fitted = fit();
        var warmup = Stopwatch.StartNew();
        for (var i = 1; i < 200 && (i < 5 || warmup.Elapsed < TimeSpan.FromSeconds(1)); i++)
        {
            fitted = fit();
        }
        var wall = new double[repetitions];
        var cpu = new double[repetitions];
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < repetitions; i++)
        {
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            fitted = fit();
            wall[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
        }

        var report = ClassificationReport.Evaluate(fitted, test);
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"learners: {dataset} {model} ({threads} thread(s)): accuracy {report.Accuracy:F4}, macro-F1 {report.MacroF1:F4}, median {BenchFigures.Median(wall):F1} ms wall, {BenchFigures.Median(cpu):F1} ms CPU"));
        return new LearnerResult(dataset, model, threads, train.RowCount, test.RowCount, report.Accuracy, report.MacroF1, wall, cpu);
    }

    private static Dictionary<string, int[]> ReadSplits(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var splits = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            var rows = new List<int>();
            foreach (var row in property.Value.GetProperty("test").EnumerateArray())
            {
                rows.Add(row.GetInt32());
            }

            splits[property.Name] = [.. rows];
        }

        return splits;
    }

    private static void Write(string path, List<LearnerResult> results, int repetitions, string split)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("name", "learners_modelhost");
        w.WriteString("implementation", $"Modelhost.Learning {typeof(ITabularClassifier).Assembly.GetName().Version}, .NET {Environment.Version}");
        w.WriteNumber("repetitions", repetitions);
        w.WriteString("split", split);
        w.WriteNumber("processors", Environment.ProcessorCount);
        w.WriteStartArray("results");
        foreach (var r in results)
        {
            w.WriteStartObject();
            w.WriteString("dataset", r.Dataset);
            w.WriteString("model", r.Model);
            w.WriteNumber("threads", r.Threads);
            w.WriteNumber("train_rows", r.TrainRows);
            w.WriteNumber("test_rows", r.TestRows);
            w.WriteNumber("accuracy", r.Accuracy);
            w.WriteNumber("macro_f1", r.MacroF1);
            w.WriteNumber("wall_ms_median", BenchFigures.Median(r.WallMs));
            w.WriteNumber("cpu_ms_median", BenchFigures.Median(r.CpuMs));
            BenchFigures.WriteArray(w, "wall_ms", r.WallMs, 3);
            BenchFigures.WriteArray(w, "cpu_ms", r.CpuMs, 3);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }


}
