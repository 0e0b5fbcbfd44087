// Bytes allocated per request on the whole server path (Kestrel, JSON -> tensor -> ONNX Runtime -> JSON),
// measured in process. The client is a raw socket that sends prebuilt request bytes and reads into one
// reused buffer, so what the GC counts is the server's own allocation. Large-object-heap allocations are
// counted from the runtime's allocation-tick events.
//   dotnet run -c Release --project bench/Alloc -- [models-dir] [requests] [cpu-rounds]
// With cpu-rounds, it then sends /predict to the servers with metrics on and off in alternating rounds and prints the
// median process CPU microseconds per request of each (client included, the same for both): the metrics cost.
//   dotnet run -c Release --project bench/Alloc -- models record [measurements]   (RecordBench: one measurement's cost)
//   dotnet run -c Release --project bench/Alloc -- json [rounds]   (JsonCodecBench: the V2 JSON codec's FP32 fast paths)
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Modelhost.Server;

if (args is ["json", ..])
{
    JsonCodecBench.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000);
    return;
}

var models = args.Length > 0 ? args[0] : "models";
var requests = args.Length > 1 && args[1] != "record" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;

var options = new ServerOptions { Urls = "http://127.0.0.1:0" };
options.Grpc.Urls = "http://127.0.0.1:0";
options.Repository.Root = models;
await using var app = ModelhostServer.Build(options, logging => logging.SetMinimumLevel(LogLevel.Warning));
await app.StartAsync();
var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

// A second server with one infer key, which the keyed case sends as X-Api-Token (the bench's auth scenario).
var (key, stored) = BenchKey.Create("bench");
var keyedOptions = new ServerOptions { Urls = "http://127.0.0.1:0" };
keyedOptions.Grpc.Urls = "http://127.0.0.1:0";
keyedOptions.Repository.Root = models;
keyedOptions.Security.Keys = [stored];
await using var keyedApp = ModelhostServer.Build(keyedOptions, logging => logging.SetMinimumLevel(LogLevel.Warning));
await keyedApp.StartAsync();
var keyedAddress = new Uri(keyedApp.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

// A third server with metrics off: the same requests, without the instruments' listener (the metrics cost).
var quietOptions = new ServerOptions { Urls = "http://127.0.0.1:0" };
quietOptions.Grpc.Urls = "http://127.0.0.1:0";
quietOptions.Repository.Root = models;
quietOptions.Metrics.Enabled = false;
await using var quietApp = ModelhostServer.Build(quietOptions, logging => logging.SetMinimumLevel(LogLevel.Warning));
await quietApp.StartAsync();
var quietAddress = new Uri(quietApp.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

const string Seed = """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""";
var cases = new (string Name, Uri Address, string Path, string Body, string Header)[]
{
    ("GET health (floor)", address, "/v2/health/live", "", ""),
    ("iris /predict", address, "/predict", Seed, ""),
    ("iris V2 infer", address, "/v2/models/iris/infer", """{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.9,3.0,5.1,1.8]}]}""", ""),
    ("iris TF predict", address, "/v1/models/iris:predict", """{"instances":[[5.9,3.0,5.1,1.8]]}""", ""),
    ("/predict with key", keyedAddress, "/predict", Seed, $"X-Api-Token: {key}\r\n"),
    ("health, metrics off", quietAddress, "/v2/health/live", "", ""),
    ("/predict, metrics off", quietAddress, "/predict", Seed, ""),
};

if (args.Length > 1 && args[1] == "record")
{
    RecordBench.Run(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000_000);
    return;
}

using var listener = new LohListener();
Console.WriteLine($"{"path",-18} {"bytes/request",14} {"LOH events",11}");
foreach (var (name, target, path, body, header) in cases)
{
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(target.Host, target.Port);
    var request = Encoding.ASCII.GetBytes(body.Length == 0
        ? $"GET {path} HTTP/1.1\r\nHost: {target.Authority}\r\n{header}\r\n"
        : $"POST {path} HTTP/1.1\r\nHost: {target.Authority}\r\n{header}Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
    var buffer = new byte[64 * 1024];

    await Task.Run(() => Run(socket, request, buffer, 2_000));
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    listener.Reset();
    var before = GC.GetTotalAllocatedBytes(precise: true);
    await Task.Run(() => Run(socket, request, buffer, requests));
    var after = GC.GetTotalAllocatedBytes(precise: true);
    var perRequest = (after - before) / (double)requests;
    Console.WriteLine($"{name,-18} {perRequest,14:F0} {listener.LargeObjectEvents,11}");
    if (Environment.GetEnvironmentVariable("ALLOC_TYPES") == "1")
    {
        // Allocation ticks fire every ~100 KB, so their counts by type sample where the bytes go.
        foreach (var (type, count) in listener.TopTypes(12))
        {
            Console.WriteLine($"    {count,5}  {type}");
        }
    }
}

var cpuRounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
if (cpuRounds > 0)
{
    var sides = new (string Name, Uri Address)[] { ("/predict, metrics on", address), ("/predict, metrics off", quietAddress) };
    var perRound = new List<double>[] { [], [] };
    var sockets = new Socket[sides.Length];
    var requestBytes = new byte[sides.Length][];
    for (var s = 0; s < sides.Length; s++)
    {
        sockets[s] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await sockets[s].ConnectAsync(sides[s].Address.Host, sides[s].Address.Port);
        requestBytes[s] = Encoding.ASCII.GetBytes($"POST /predict HTTP/1.1\r\nHost: {sides[s].Address.Authority}\r\nContent-Type: application/json\r\nContent-Length: {Seed.Length}\r\n\r\n{Seed}");
        await Task.Run(() => Run(sockets[s], requestBytes[s], new byte[64 * 1024], 2_000));
    }

    var readBuffer = new byte[64 * 1024];
    using var process = System.Diagnostics.Process.GetCurrentProcess();
    for (var round = 0; round < cpuRounds; round++)
    {
        for (var s = 0; s < sides.Length; s++)
        {
            var side = (round & 1) == 0 ? s : sides.Length - 1 - s;
            process.Refresh();
            var before = process.TotalProcessorTime;
            await Task.Run(() => Run(sockets[side], requestBytes[side], readBuffer, requests));
            process.Refresh();
            perRound[side].Add((process.TotalProcessorTime - before).TotalMicroseconds / requests);
        }
    }

    for (var s = 0; s < sides.Length; s++)
    {
        perRound[s].Sort();
        sockets[s].Dispose();
        Console.WriteLine($"{sides[s].Name,-22} CPU µs/request: min {perRound[s][0]:F2}, median {perRound[s][perRound[s].Count / 2]:F2} (rounds {string.Join(' ', perRound[s].Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))})");
    }
}

await app.StopAsync();
await keyedApp.StopAsync();

// Blocking socket calls on one thread: the client itself allocates nothing per request.
static void Run(Socket socket, byte[] request, byte[] buffer, int count)
{
    for (var i = 0; i < count; i++)
    {
        socket.Send(request, SocketFlags.None);
        ReadResponse(socket, buffer);
    }
}

// Reads one response with a Content-Length or chunked body; the server answers small bodies.
static void ReadResponse(Socket socket, byte[] buffer)
{
    var filled = 0;
    while (true)
    {
        var read = socket.Receive(buffer.AsSpan(filled), SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        filled += read;
        var text = buffer.AsSpan(0, filled);
        var headerEnd = text.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0)
        {
            continue;
        }

        var headers = text[..headerEnd];
        var lengthAt = headers.IndexOf("Content-Length: "u8);
        if (lengthAt >= 0)
        {
            var rest = headers[(lengthAt + 16)..];
            var end = rest.IndexOf("\r\n"u8);
            var length = int.Parse(end < 0 ? rest : rest[..end], CultureInfo.InvariantCulture);
            if (filled >= headerEnd + 4 + length)
            {
                return;
            }
        }
        else if (text.EndsWith("0\r\n\r\n"u8))
        {
            return;
        }
    }
}

internal sealed class LohListener : EventListener
{
    private int _largeObjectEvents;

    public int LargeObjectEvents => Volatile.Read(ref _largeObjectEvents);

    private readonly Dictionary<string, int> _types = [];

    public void Reset()
    {
        Interlocked.Exchange(ref _largeObjectEvents, 0);
        lock (_types)
        {
            _types.Clear();
        }
    }

    public List<(string Type, int Count)> TopTypes(int count)
    {
        lock (_types)
        {
            var list = _types.Select(kv => (kv.Key, kv.Value)).ToList();
            list.Sort((a, b) => b.Item2.CompareTo(a.Item2));
            return list.Take(count).ToList();
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // GC keyword (0x1) at verbose level includes the allocation tick, sampled every ~100 KB per heap.
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is not { Count: > 1 } payload)
        {
            return;
        }

        if (Convert.ToInt32(payload[1], CultureInfo.InvariantCulture) == 1)
        {
            Interlocked.Increment(ref _largeObjectEvents);
        }

        var index = eventData.PayloadNames?.IndexOf("TypeName") ?? -1;
        if (index >= 0 && payload[index] is string type)
        {
            lock (_types)
            {
                _types[type] = _types.GetValueOrDefault(type) + 1;
            }
        }
    }
}
