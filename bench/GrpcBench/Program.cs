// gRPC raw tensors beside HTTP binary and HTTP JSON, in the same run, against one `modelhost serve` process.
//
//   dotnet run -c Release --project bench/GrpcBench -- MODELHOST_DLL [SECONDS [WARMUP_SECONDS]]
//   dotnet run -c Release --project bench/GrpcBench -- --micro     (the raw-input copy alone: ReaderMicroBench)
//
// For the iris seed model and the batching MLP (512 FP32 in, 512 out; max_batch_size 64, 2 ms queue delay, one
// ONNX Runtime thread), each protocol is driven by the same number of concurrent one-row clients for SECONDS (after a
// warm-up). Reported: rows/s; the server process's CPU per row (/proc/PID/stat); ONNX Runtime's own CPU per row at the
// mean batch size that formed (the server's statistics), measured here in process on one thread; and their difference,
// the server's cost per row beyond ONNX Runtime, which does not depend on the load generator sharing the cores.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Testing;

if (args is ["--micro"])
{
    Modelhost.Bench.Grpc.ReaderMicroBench.Run();
    return;
}

var modelhost = args.Length > 0 ? args[0] : throw new ArgumentException("usage: grpcbench MODELHOST_DLL [SECONDS [WARMUP_SECONDS]] | grpcbench --micro");
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;

// The warm-up per model and protocol: long enough for tiered compilation to finish the path. With 2 s on a loaded
// machine, a profile of the gRPC run still showed a quarter of the server's CPU in the JIT, charged to the rows.
var warmup = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 6;
var root = Directory.CreateTempSubdirectory("modelhost-grpcbench-").FullName;
var repoRoot = FindRepoRoot();
CopyDirectory(Path.Combine(repoRoot, "models", "iris"), Path.Combine(root, "iris"));
Directory.CreateDirectory(Path.Combine(root, "mlp", "1"));
var mlpModel = OnnxModels.Mlp(512, 2048, 512, layers: 2, seed: 1);
File.WriteAllBytes(Path.Combine(root, "mlp", "1", "model.onnx"), mlpModel);
var onnx = new Dictionary<string, byte[]> { ["iris"] = File.ReadAllBytes(Path.Combine(root, "iris", "1", "model.onnx")), ["mlp"] = mlpModel };
File.WriteAllText(Path.Combine(root, "mlp", "model.yaml"), "max_batch_size: 64\ndynamic_batching: {max_queue_delay_us: 2000}\nsession: {intra_op_threads: 1}\n");

var httpPort = FreePort();
var grpcPort = FreePort();
var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in new[] { modelhost, "serve", "--models", root, "--urls", $"http://127.0.0.1:{httpPort}", "--grpc-urls", $"http://127.0.0.1:{grpcPort}", "--data-dir", Path.Combine(root, "data") })
{
    info.ArgumentList.Add(a);
}

foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MODELHOST_", StringComparison.Ordinal) || k == "PORT").ToList())
{
    info.Environment.Remove(name);
}

using var server = Process.Start(info)!;
server.OutputDataReceived += (_, _) => { };
server.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
try
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    await WaitReadyAsync(http);
    using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
    var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

    var rows = new List<string>();
    var iris = new float[] { 5.9f, 3.0f, 5.1f, 1.8f };
    var mlp = Enumerable.Range(0, 512).Select(i => (float)Math.Sin(i)).ToArray();
    foreach (var (model, input, output, values, clients) in new[] { ("iris", "input", "label", iris, 16), ("mlp", "x", "y", mlp, 32) })
    {
        foreach (var protocol in new[] { "gRPC raw", "HTTP binary", "HTTP JSON" })
        {
            // GRPCBENCH_ONLY="mlp/gRPC raw" runs that pair alone (to profile the server under one load).
            if (Environment.GetEnvironmentVariable("GRPCBENCH_ONLY") is { Length: > 0 } only && only != $"{model}/{protocol}")
            {
                continue;
            }

            Func<Task> call = protocol switch
            {
                "gRPC raw" => GrpcCall(grpc, model, input, output, values),
                "HTTP binary" => BinaryCall(http, model, input, output, values),
                _ => JsonCall(http, model, input, output, values),
            };
            await RunAsync(call, clients, TimeSpan.FromSeconds(warmup), null);
            var before = await SnapshotAsync(http, server.Id, model);
            var done = await RunAsync(call, clients, TimeSpan.FromSeconds(seconds), null);
            var after = await SnapshotAsync(http, server.Id, model);
            var cpuUs = (after.CpuSeconds - before.CpuSeconds) * 1e6 / done.Rows;
            var batch = (double)(after.Inferences - before.Inferences) / Math.Max(1, after.Executions - before.Executions);
            var ortUs = OrtCpuPerRowUs(onnx[model], input, output, values, Math.Max(1, (int)Math.Round(batch)));
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {model} | {protocol} | {clients} | {done.Rows / done.Seconds:F0} | {batch:F1} | {cpuUs:F1} | {ortUs:F1} | {cpuUs - ortUs:F1} |"));
            Console.Error.WriteLine(rows[^1]);
        }
    }

    Console.WriteLine($"`grpcbench modelhost.dll {seconds.ToString(CultureInfo.InvariantCulture)} {warmup.ToString(CultureInfo.InvariantCulture)}` ({seconds.ToString(CultureInfo.InvariantCulture)} s per protocol after a {warmup.ToString(CultureInfo.InvariantCulture)} s warm-up), {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    Console.WriteLine();
    Console.WriteLine("| model | protocol | clients | rows/s | mean batch | server CPU µs/row | ORT µs/row | beyond ORT µs/row |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
    rows.ForEach(Console.WriteLine);
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    Directory.Delete(root, recursive: true);
}

static double OrtCpuPerRowUs(byte[] model, string input, string output, float[] row, int batch)
{
    var engine = Modelhost.Core.Engine.OnnxRuntime.OnnxRuntimeEngine.Instance;
    using var session = engine.CreateSession(model, new Modelhost.Core.Engine.EngineSessionOptions { IntraOpThreads = 1 });
    var data = new float[row.Length * batch];
    for (var r = 0; r < batch; r++)
    {
        row.CopyTo(data, r * row.Length);
    }

    using var tensor = engine.CreateTensor<float>(data.AsMemory(), [batch, row.Length]);
    string[] inputs = [input];
    string[] outputs = [output];
    void RunOnce()
    {
        foreach (var value in session.Run(inputs, [tensor], outputs))
        {
            value.Dispose();
        }
    }

    for (var i = 0; i < 20; i++)
    {
        RunOnce();
    }

    // Process CPU time, not wall time: the figure holds on a machine whose cores are shared.
    var process = Process.GetCurrentProcess();
    var start = process.TotalProcessorTime;
    long runs = 0;
    while ((process.TotalProcessorTime - start).TotalSeconds < 0.5)
    {
        RunOnce();
        runs++;
        process.Refresh();
    }

    return (process.TotalProcessorTime - start).TotalMicroseconds / (runs * batch);
}

static Func<Task> GrpcCall(GRPCInferenceService.GRPCInferenceServiceClient client, string model, string input, string output, float[] values)
{
    var request = new ModelInferRequest { ModelName = model };
    request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = input, Datatype = "FP32", Shape = { 1, values.Length } });
    request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output });
    request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
    return async () => _ = await client.ModelInferAsync(request);
}

static Func<Task> BinaryCall(HttpClient http, string model, string input, string output, float[] values)
{
    var size = (values.Length * 4).ToString(CultureInfo.InvariantCulture);
    var header = Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"" + input + "\",\"shape\":[1," + values.Length.ToString(CultureInfo.InvariantCulture) + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + size + "}}],\"outputs\":[{\"name\":\"" + output + "\",\"parameters\":{\"binary_data\":true}}]}");
    var body = header.Concat(MemoryMarshal.AsBytes(values.AsSpan()).ToArray()).ToArray();
    return async () =>
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));
        using var response = await http.PostAsync($"/v2/models/{model}/infer", content);
        response.EnsureSuccessStatusCode();
        _ = await response.Content.ReadAsByteArrayAsync();
    };
}

static Func<Task> JsonCall(HttpClient http, string model, string input, string output, float[] values)
{
    var body = $$"""{"inputs":[{"name":"{{input}}","shape":[1,{{values.Length}}],"datatype":"FP32","data":[{{string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}]}],"outputs":[{"name":"{{output}}"}]}""";
    return async () =>
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/v2/models/{model}/infer", content);
        response.EnsureSuccessStatusCode();
        _ = await response.Content.ReadAsByteArrayAsync();
    };
}

static async Task<(long Rows, double Seconds)> RunAsync(Func<Task> call, int clients, TimeSpan duration, object? unused)
{
    long rows = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        while (clock.Elapsed < duration)
        {
            await call();
            Interlocked.Increment(ref rows);
        }
    }));
    return (rows, clock.Elapsed.TotalSeconds);
}

static async Task<(double CpuSeconds, long ComputeNs, long Inferences, long Executions)> SnapshotAsync(HttpClient http, int pid, string model)
{
    // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux).
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    using var json = JsonDocument.Parse(await http.GetStringAsync($"/v2/models/{model}/stats"));
    var stats = json.RootElement.GetProperty("model_stats")[0];
    return (cpu, stats.GetProperty("inference_stats").GetProperty("compute_infer").GetProperty("ns").GetInt64(), stats.GetProperty("inference_count").GetInt64(), stats.GetProperty("execution_count").GetInt64());
}

static async Task WaitReadyAsync(HttpClient http)
{
    for (var i = 0; i < 600; i++)
    {
        try
        {
            using var response = await http.GetAsync("/v2/health/ready");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(100);
    }

    throw new TimeoutException("the server did not become ready in 60 s");
}

static int FreePort()
{
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    return ((IPEndPoint)socket.LocalEndPoint!).Port;
}

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Modelhost.slnx")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new DirectoryNotFoundException("run from inside the repository");
}

static void CopyDirectory(string from, string to)
{
    Directory.CreateDirectory(to);
    foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
    {
        var target = Path.Combine(to, Path.GetRelativePath(from, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(file, target);
    }
}
