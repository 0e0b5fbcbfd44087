// gRPC raw tensors beside HTTP binary and HTTP JSON, in the same run, against one `modelhost serve` process.
//
//   dotnet run -c Release --project bench/GrpcBench -- MODELHOST_DLL [SECONDS [WARMUP_SECONDS [ROUNDS]]]
//   dotnet run -c Release --project bench/GrpcBench -- --micro     (the raw-input copy alone: ReaderMicroBench)
//   dotnet run -c Release --project bench/GrpcBench -- --write-models DIR   (the two MLPs as a model repository)
//
// First the floor: the server's CPU per call with no model behind it (gRPC ServerLive, HTTP's live probe). Then, for
// the iris seed model and the batching MLP (512 FP32 in, 512 out; max_batch_size 64, 2 ms queue delay, one ONNX
// Runtime thread), each protocol driven by concurrent one-row clients, and the MLP again with 8-row and 64-row
// requests, always 64 rows in flight; then all three MLP cases again with hidden layers of 32 ("mlp-thin": the same tensors at about 1 µs/row of
// ONNX Runtime), for SECONDS each (after a warm-up). Reported: rows/s; the server process's CPU per row (/proc/PID/stat);
// ONNX Runtime's own CPU per row at the mean batch size that formed (the server's statistics), measured here in
// process as one thread's CPU time with the machine otherwise idle; and the server's cost per row beyond ONNX Runtime
// (server CPU less that reference), which leaves the load generator's own CPU out, though not what a heavier one does
// to the server (fewer requests in flight, each costing it more). The generator: GRPCBENCH_GENERATOR below. The reference is
// the lower bound: on a virtual machine whose cores share physical ones, ONNX Runtime runs 10-15% slower while the
// other cores are busy (as they are during the load), and that slowdown lands in "beyond". GRPCBENCH_ONLY="mlp/8/gRPC raw" (or "floor/gRPC ServerLive") runs one case.
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
using Modelhost.Bench.Grpc;
using Modelhost.Testing;

if (args is ["--micro"])
{
    Modelhost.Bench.Grpc.ReaderMicroBench.Run();
    return;
}

// The bench's two MLPs and their model.yaml in a repository of their own, for another load generator
// (bench/perf_analyzer.sh drives them with Triton's perf_analyzer).
if (args is ["--write-models", var into])
{
    foreach (var (name, hidden) in new[] { ("mlp", 2048), ("mlp-thin", 32) })
    {
        Directory.CreateDirectory(Path.Combine(into, name, "1"));
        File.WriteAllBytes(Path.Combine(into, name, "1", "model.onnx"), OnnxModels.Mlp(512, hidden, 512, layers: 2, seed: 1));
        File.WriteAllText(Path.Combine(into, name, "model.yaml"), "max_batch_size: 64\ndynamic_batching: {max_queue_delay_us: 2000}\nsession: {intra_op_threads: 1}\n");
    }

    return;
}

var modelhost = args.Length > 0 ? args[0] : throw new ArgumentException("usage: grpcbench MODELHOST_DLL [SECONDS [WARMUP_SECONDS [ROUNDS]]] | grpcbench --micro");
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;

// The warm-up per model and protocol: long enough for tiered compilation to finish the path. With 2 s on a loaded
// machine, a profile of the gRPC run still showed a quarter of the server's CPU in the JIT, charged to the rows.
var warmup = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 6;

// Each protocol's SECONDS are measured in this many windows, taking turns with the other protocols.
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;

// The load generator: GRPCBENCH_GENERATOR=h2load (nghttp2's, in C, the same tool for all three protocols; the default
// where it is installed) or dotnet (Grpc.Net.Client and HttpClient in this process, with the lean calls). On two
// cores the generator's own CPU is CPU the server does not get, and fewer requests in flight make the server pay more
// per row (more wake-ups, each with less work): the .NET clients cost two to three times h2load's per row.
var generator = Environment.GetEnvironmentVariable("GRPCBENCH_GENERATOR") ?? (H2Load.Find() is null ? "dotnet" : "h2load");
var h2load = generator switch
{
    "h2load" => H2Load.Find() ?? throw new ArgumentException("GRPCBENCH_GENERATOR=h2load but h2load is not on PATH (Debian's nghttp2-client)"),
    "dotnet" => null,
    _ => throw new ArgumentException($"GRPCBENCH_GENERATOR: '{generator}' is neither h2load nor dotnet"),
};
var loads = new List<H2Load>();

// Each measured window: h2load's duration is whole seconds, so its windows are rounded to them (at least one).
var windowSeconds = h2load is null ? seconds / rounds : Math.Max(1, Math.Round(seconds / rounds));
H2Load Track(H2Load load)
{
    loads.Add(load);
    return load;
}

var root = Directory.CreateTempSubdirectory("modelhost-grpcbench-").FullName;
var repoRoot = FindRepoRoot();
CopyDirectory(Path.Combine(repoRoot, "models", "iris"), Path.Combine(root, "iris"));
Directory.CreateDirectory(Path.Combine(root, "mlp", "1"));
// GRPCBENCH_HIDDEN shrinks the MLP's hidden layers (default 2048): the same 512 values in and out at almost no ONNX
// Runtime cost, which separates what the server costs from what the model's compute does to it.
var mlpModel = OnnxModels.Mlp(512, int.Parse(Environment.GetEnvironmentVariable("GRPCBENCH_HIDDEN") ?? "2048", CultureInfo.InvariantCulture), 512, layers: 2, seed: 1);
File.WriteAllBytes(Path.Combine(root, "mlp", "1", "model.onnx"), mlpModel);
// The same MLP with hidden layers of 32 ("mlp-thin"): the same 512 FP32 in and out and the same batching, at about
// 1 µs/row of ONNX Runtime. Its "beyond ORT" is read against a reference that cannot swing by more than that, so it is
// the server's own cost per row for these tensors, to the precision the targets need; the full MLP's figure
// also holds what ONNX Runtime's compute does to the server's code on shared cores.
var thinModel = OnnxModels.Mlp(512, 32, 512, layers: 2, seed: 1);
Directory.CreateDirectory(Path.Combine(root, "mlp-thin", "1"));
File.WriteAllBytes(Path.Combine(root, "mlp-thin", "1", "model.onnx"), thinModel);
var onnx = new Dictionary<string, byte[]> { ["iris"] = File.ReadAllBytes(Path.Combine(root, "iris", "1", "model.onnx")), ["mlp"] = mlpModel, ["mlp-thin"] = thinModel };
// GRPCBENCH_DELAY_US: the MLPs' max_queue_delay_us (default 2000).
var delay = int.Parse(Environment.GetEnvironmentVariable("GRPCBENCH_DELAY_US") ?? "2000", CultureInfo.InvariantCulture);
foreach (var name in new[] { "mlp", "mlp-thin" })
{
    File.WriteAllText(Path.Combine(root, name, "model.yaml"), $"max_batch_size: 64\ndynamic_batching: {{max_queue_delay_us: {delay}}}\nsession: {{intra_op_threads: 1}}\n");
}

var httpPort = FreePort();
var grpcPort = FreePort();
// GRPCBENCH_SERVER_CPUS="0,1" (a taskset list): the server runs on those CPUs alone, its runtime told their number,
// as on a machine of that many cores; start the bench itself under taskset on the others, and the load generator no
// longer shares the server's cores. taskset execs dotnet, so the process id read for the server's CPU is the server's.
var serverCpus = Environment.GetEnvironmentVariable("GRPCBENCH_SERVER_CPUS");
var info = new ProcessStartInfo(serverCpus is { Length: > 0 } ? "taskset" : "dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
if (serverCpus is { Length: > 0 })
{
    info.ArgumentList.Add("-c");
    info.ArgumentList.Add(serverCpus);
    info.ArgumentList.Add("dotnet");
    info.Environment["DOTNET_PROCESSOR_COUNT"] = CountCpus(serverCpus).ToString(CultureInfo.InvariantCulture);
}

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
    // GRPCBENCH_WINDOW: the client's HTTP/2 stream window (Grpc.Net.Client's default is 64 KiB, which a 64-row MLP
    // response of 128 KiB outgrows, so the server waits for the client's window updates).
    var window = int.Parse(Environment.GetEnvironmentVariable("GRPCBENCH_WINDOW") ?? "65535", CultureInfo.InvariantCulture);
    using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, InitialHttp2StreamWindowSize = window },
    });
    var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

    var rows = new List<string>();
    var only = Environment.GetEnvironmentVariable("GRPCBENCH_ONLY");
    var iris = new float[] { 5.9f, 3.0f, 5.1f, 1.8f };
    var mlp = Enumerable.Range(0, 512).Select(i => (float)Math.Sin(i)).ToArray();

    // The floor: what one call costs the server with no model behind it (ServerLive over gRPC, the live probe over
    // HTTP/1.1), through the same Kestrel, middleware and, for gRPC, HTTP/2 and Grpc.AspNetCore. No one-row request can
    // cost less than this.
    var floor = new List<string>();
    foreach (var protocol in new[] { "gRPC ServerLive", "HTTP GET /v2/health/live" })
    {
        if (only is { Length: > 0 } && only != $"floor/{protocol}")
        {
            continue;
        }

        Func<Task> call = protocol.StartsWith("gRPC", StringComparison.Ordinal)
            ? async () => _ = await grpc.ServerLiveAsync(new ServerLiveRequest())
            : async () => { using var response = await http.GetAsync("/v2/health/live"); response.EnsureSuccessStatusCode(); };
        var run = h2load is null
            ? DotnetRun(call, 32, 1)
            : Track(protocol.StartsWith("gRPC", StringComparison.Ordinal)
                ? H2Load.Grpc(h2load, grpcPort, "ServerLive", [], 32, 1)
                : H2Load.Http(h2load, httpPort, "/v2/health/live", null, [], 32, 1)).RunAsync;
        await run(TimeSpan.FromSeconds(warmup));
        var before = ProcessCpuSeconds(server.Id);
        var done = await run(TimeSpan.FromSeconds(seconds));
        var cpuUs = (ProcessCpuSeconds(server.Id) - before) * 1e6 / done.Rows;
        floor.Add(string.Create(CultureInfo.InvariantCulture, $"| {protocol} | 32 | {done.Rows / done.Seconds:F0} | {cpuUs:F1} |"));
        Console.Error.WriteLine(floor[^1]);
    }

    // The MLPs run with 64 rows in flight, their max_batch_size, as the batching bench (64 clients x 1 row) and Triton's
    // perf_analyzer guidance load a batcher: one-row requests (64 clients; the batcher forms the batches, which fill as
    // the requests arrive), 8-row requests (8 clients), where the per-call cost is shared by the rows of a call, and one
    // client sending whole batches of 64 rows (no batching wait, one call per ONNX Runtime run). Then the thin MLP once
    // more with 32 one-row clients ("half"): half-full batches, each of which waits out the whole queue delay with the
    // server idle, so the server pays to go idle and wake again for every batch; shown, not a target.
    foreach (var (model, input, output, values, clients, perRequest, variant) in new[]
    {
        ("iris", "input", "label", iris, 16, 1, ""), ("mlp", "x", "y", mlp, 64, 1, ""), ("mlp", "x", "y", mlp, 8, 8, ""), ("mlp", "x", "y", mlp, 1, 64, ""),
        ("mlp-thin", "x", "y", mlp, 64, 1, ""), ("mlp-thin", "x", "y", mlp, 8, 8, ""), ("mlp-thin", "x", "y", mlp, 1, 64, ""),
        ("mlp-thin", "x", "y", mlp, 32, 1, "half/"),
    })
    {
        // The protocols take turns: ROUNDS windows each, in rotation, so that the machine's speed swings from one
        // minute to the next fall on all of them alike and their rows/s and CPU per row compare fairly.
        var cases = new List<(string Protocol, Func<TimeSpan, Task<(long Calls, long Rows, double Seconds, double ClientCpuSeconds)>> Run, Totals Totals)>();
        foreach (var protocol in new[] { "gRPC raw", "HTTP binary", "HTTP JSON" })
        {
            // GRPCBENCH_ONLY="mlp/gRPC raw" (or "mlp/8/gRPC raw", "mlp-thin/half/gRPC raw") runs that pair alone (to
            // profile the server under one load); "mlp/64" runs the three protocols of that group.
            var name = perRequest == 1 ? $"{model}/{variant}{protocol}" : $"{model}/{perRequest}/{variant}{protocol}";
            if (only is { Length: > 0 } && only != name && !name.StartsWith(only + "/", StringComparison.Ordinal))
            {
                continue;
            }

            var request = Repeat(values, perRequest);
            if (cases.Count == 0)
            {
                var labels = model == "iris";
                await LeanCalls.CheckAsync(grpc, http, model, input, labels ? "label" : output, request, perRequest, labels ? [2f] : OrtOutput(onnx[model], input, output, request, perRequest), labels);
            }

            // GRPCBENCH_CLIENT=generated: the calls as before the lean ones (protobuf messages built and parsed per call,
            // answers copied into new arrays), to compare the two.
            Func<Task> call = (protocol, Environment.GetEnvironmentVariable("GRPCBENCH_CLIENT") == "generated") switch
            {
                ("gRPC raw", true) => GrpcCall(grpc, model, input, output, request, perRequest),
                ("HTTP binary", true) => BinaryCall(http, model, input, output, request, perRequest),
                (_, true) => JsonCall(http, model, input, output, request, perRequest),
                ("gRPC raw", false) => LeanCalls.Grpc(channel.CreateCallInvoker(), InferRequest(model, input, output, request, perRequest)),
                ("HTTP binary", false) => LeanCalls.Http(http, $"/v2/models/{model}/infer", BinaryBody(input, output, request, perRequest, out var headerLength), json: false, headerLength),
                _ => LeanCalls.Http(http, $"/v2/models/{model}/infer", Encoding.UTF8.GetBytes(LeanCalls.JsonBody(input, output, request, perRequest)), json: true, 0),
            };
            var run = h2load is null ? DotnetRun(call, clients, perRequest) : Track(protocol switch
            {
                "gRPC raw" => H2Load.Grpc(h2load, grpcPort, "ModelInfer", InferRequest(model, input, output, request, perRequest).ToByteArray(), clients, perRequest),
                "HTTP binary" => H2Load.Http(h2load, httpPort, $"/v2/models/{model}/infer", BinaryBody(input, output, request, perRequest, out var binaryHeader),
                    ["content-type: application/octet-stream", $"inference-header-content-length: {binaryHeader}"], clients, perRequest),
                _ => H2Load.Http(h2load, httpPort, $"/v2/models/{model}/infer", Encoding.UTF8.GetBytes(LeanCalls.JsonBody(input, output, request, perRequest)),
                    ["content-type: application/json"], clients, perRequest),
            }).RunAsync;
            await run(TimeSpan.FromSeconds(warmup));
            cases.Add((protocol, run, new Totals()));
        }

        for (var round = 0; round < rounds; round++)
        {
            foreach (var (protocol, run, totals) in cases)
            {
                var before = await SnapshotAsync(http, server.Id, model);
                var sampling = OrtShare.Start(server.Id, windowSeconds);
                var done = await run(TimeSpan.FromSeconds(windowSeconds));
                var after = await SnapshotAsync(http, server.Id, model);

                // Every counted call must have been an inference the server counted as a success: h2load sees HTTP
                // statuses only, and a failed gRPC call is a 200 whose trailers carry the error.
                if (after.Failures != before.Failures || after.Successes - before.Successes < done.Calls)
                {
                    throw new InvalidOperationException($"{model}/{protocol}: {done.Calls} calls counted, but the server counted {after.Successes - before.Successes} successes and {after.Failures - before.Failures} failures");
                }

                totals.Add((done.Rows, done.Seconds), after.CpuSeconds - before.CpuSeconds, done.ClientCpuSeconds, after.Inferences - before.Inferences, after.Executions - before.Executions, sampling is null ? null : await sampling.ShareAsync());
            }
        }

        foreach (var (protocol, _, totals) in cases)
        {
            // Per row the server ran between the snapshots: h2load stops counting at the end of its window, but the
            // calls still in flight then are run, and their CPU is in the window's (the .NET clients wait for theirs).
            var cpuUs = totals.CpuSeconds * 1e6 / totals.Inferences;
            var outside = totals.OrtShare is { } share ? (cpuUs * (1 - share)).ToString("F1", CultureInfo.InvariantCulture) : "n/a";
            var batch = (double)totals.Inferences / Math.Max(1, totals.Executions);
            var ortUs = OrtCpuPerRowUs(onnx[model], input, output, values, Math.Max(1, (int)Math.Round(batch)));
            var clientUs = totals.ClientCpuSeconds * 1e6 / totals.Inferences;
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {model} | {perRequest} | {protocol} | {clients} | {totals.Rows / totals.Seconds:F0} | {batch:F1} | {cpuUs:F1} | {ortUs:F1} | {cpuUs - ortUs:F1} | {outside} | {clientUs:F1} |"));
            Console.Error.WriteLine(rows[^1]);
        }
    }

    Console.WriteLine($"`grpcbench modelhost.dll {seconds.ToString(CultureInfo.InvariantCulture)} {warmup.ToString(CultureInfo.InvariantCulture)} {rounds}` ({(windowSeconds * rounds).ToString(CultureInfo.InvariantCulture)} s per protocol in {rounds} turns after a {warmup.ToString(CultureInfo.InvariantCulture)} s warm-up), load generator {(h2load is null ? "the .NET clients (GRPCBENCH_GENERATOR=dotnet)" : "h2load")}, {Environment.ProcessorCount} cores{(serverCpus is { Length: > 0 } ? $" for the load generator, the server on CPUs {serverCpus}" : "")}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    Console.WriteLine();
    Console.WriteLine("| call with no model | clients | calls/s | server CPU µs/call |");
    Console.WriteLine("| --- | --- | --- | --- |");
    floor.ForEach(Console.WriteLine);
    Console.WriteLine();
    Console.WriteLine("| model | rows/request | protocol | clients | rows/s | mean batch | server CPU µs/row | ORT µs/row | beyond ORT µs/row | outside ORT's code µs/row | client CPU µs/row |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    rows.ForEach(Console.WriteLine);
}
finally
{
    loads.ForEach(load => load.Dispose());
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

    // The calling thread's CPU time (ONNX Runtime runs on it with one intra-op thread), not the process's: the
    // process also holds the load generator's threads and the JIT. The median of five rounds of 0.3 s each.
    var rounds = new double[5];
    for (var round = 0; round < rounds.Length; round++)
    {
        var start = ThreadCpuNs();
        long runs = 0;
        long elapsed;
        do
        {
            RunOnce();
            runs++;
            elapsed = ThreadCpuNs() - start;
        }
        while (elapsed < 300_000_000);
        rounds[round] = elapsed / 1e3 / (runs * batch);
    }

    Array.Sort(rounds);
    return rounds[rounds.Length / 2];
}

static float[] OrtOutput(byte[] model, string input, string output, float[] values, int rows)
{
    var engine = Modelhost.Core.Engine.OnnxRuntime.OnnxRuntimeEngine.Instance;
    using var session = engine.CreateSession(model, new Modelhost.Core.Engine.EngineSessionOptions { IntraOpThreads = 1 });
    using var tensor = engine.CreateTensor<float>(values.AsMemory(), [rows, values.Length / rows]);
    float[]? result = null;
    foreach (var value in session.Run([input], [tensor], [output]))
    {
        result ??= value.GetTensorData<float>().ToArray();
        value.Dispose();
    }

    return result ?? throw new InvalidOperationException($"ONNX Runtime gave no '{output}'");
}

static long ThreadCpuNs()
{
    const int ClockThreadCpuTimeId = 3;
    return Native.clock_gettime(ClockThreadCpuTimeId, out var time) == 0
        ? (time.Seconds * 1_000_000_000) + time.Nanoseconds
        : throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
}

static double ProcessCpuSeconds(int pid)
{
    // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux).
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

static float[] Repeat(float[] row, int count)
{
    var data = new float[row.Length * count];
    for (var r = 0; r < count; r++)
    {
        row.CopyTo(data, r * row.Length);
    }

    return data;
}

static ModelInferRequest InferRequest(string model, string input, string output, float[] values, int count)
{
    var request = new ModelInferRequest { ModelName = model };
    request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = input, Datatype = "FP32", Shape = { count, values.Length / count } });
    request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output });
    request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
    return request;
}

static Func<Task> GrpcCall(GRPCInferenceService.GRPCInferenceServiceClient client, string model, string input, string output, float[] values, int count)
{
    var request = InferRequest(model, input, output, values, count);
    return async () => _ = await client.ModelInferAsync(request);
}

static byte[] BinaryBody(string input, string output, float[] values, int count, out int headerLength)
{
    var size = (values.Length * 4).ToString(CultureInfo.InvariantCulture);
    var header = Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"" + input + "\",\"shape\":[" + count.ToString(CultureInfo.InvariantCulture) + "," + (values.Length / count).ToString(CultureInfo.InvariantCulture) + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + size + "}}],\"outputs\":[{\"name\":\"" + output + "\",\"parameters\":{\"binary_data\":true}}]}");
    headerLength = header.Length;
    return header.Concat(MemoryMarshal.AsBytes(values.AsSpan()).ToArray()).ToArray();
}

static Func<Task> BinaryCall(HttpClient http, string model, string input, string output, float[] values, int count)
{
    var body = BinaryBody(input, output, values, count, out var headerLength);
    return async () =>
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", headerLength.ToString(CultureInfo.InvariantCulture));
        using var response = await http.PostAsync($"/v2/models/{model}/infer", content);
        response.EnsureSuccessStatusCode();
        _ = await response.Content.ReadAsByteArrayAsync();
    };
}

static Func<Task> JsonCall(HttpClient http, string model, string input, string output, float[] values, int count)
{
    var body = LeanCalls.JsonBody(input, output, values, count);
    return async () =>
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/v2/models/{model}/infer", content);
        response.EnsureSuccessStatusCode();
        _ = await response.Content.ReadAsByteArrayAsync();
    };
}

static async Task<(long Rows, double Seconds)> RunAsync(Func<Task> call, int clients, int rowsPerCall, TimeSpan duration)
{
    long rows = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        while (clock.Elapsed < duration)
        {
            await call();
            Interlocked.Add(ref rows, rowsPerCall);
        }
    }));
    return (rows, clock.Elapsed.TotalSeconds);
}

static async Task<(double CpuSeconds, long Inferences, long Executions, long Successes, long Failures)> SnapshotAsync(HttpClient http, int pid, string model)
{
    var cpu = ProcessCpuSeconds(pid);
    using var json = JsonDocument.Parse(await http.GetStringAsync($"/v2/models/{model}/stats"));
    var stats = json.RootElement.GetProperty("model_stats")[0];
    var inference = stats.GetProperty("inference_stats");
    return (cpu, stats.GetProperty("inference_count").GetInt64(), stats.GetProperty("execution_count").GetInt64(),
        inference.GetProperty("success").GetProperty("count").GetInt64(), inference.GetProperty("fail").GetProperty("count").GetInt64());
}

// The .NET clients in this process: the calls of RunAsync, and this process's CPU over them as the client's.
static Func<TimeSpan, Task<(long Calls, long Rows, double Seconds, double ClientCpuSeconds)>> DotnetRun(Func<Task> call, int clients, int rowsPerCall) => async duration =>
{
    var cpu = ProcessCpuSeconds(Environment.ProcessId);
    var (rows, elapsed) = await RunAsync(call, clients, rowsPerCall, duration);
    return (rows / rowsPerCall, rows, elapsed, ProcessCpuSeconds(Environment.ProcessId) - cpu);
};

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

static int CountCpus(string list)
{
    // taskset's list form: "0,1", "2-15", "0,4-7".
    var count = 0;
    foreach (var part in list.Split(','))
    {
        var range = part.Split('-');
        count += range.Length == 2 ? int.Parse(range[1], CultureInfo.InvariantCulture) - int.Parse(range[0], CultureInfo.InvariantCulture) + 1 : 1;
    }

    return count;
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
