using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Modelhost.Core.Models;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Grpc;

/// <summary>
/// The faults that the HTTP pipeline catches before or around a call (the rate limiter, the server-wide request
/// timeout) and the client's own deadlines answer gRPC calls with gRPC status codes, never an HTTP error page.
/// </summary>
public sealed class GrpcStatusTests
{
    private const string ModelInferMethod = "/inference.GRPCInferenceService/ModelInfer";

    private static TempRepository Scale(string dynamicBatching) => new TempRepository()
        .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
        .AddConfig("scale", $"max_batch_size: 16\ndynamic_batching: {dynamicBatching}\n");

    private static ModelInferRequest Row() => GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 1f, 1f, 0f]);

    [Fact]
    public async Task Over_the_rate_a_grpc_call_is_resource_exhausted_with_a_pushback_while_probes_stay_open()
    {
        using var repository = Scale("{}");
        await using var server = await RunningServer.StartAsync(repository.Root, options =>
        {
            options.Limits.RatePerSecond = 0.01;
            options.Limits.RateBurst = 2;
        });
        using var client = new GrpcClient(server);
        for (var i = 0; i < 2; i++)
        {
            await client.Inference.ModelInferAsync(Row());
        }

        var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(Row()));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("limits.rate_per_second", ex.Status.Detail, StringComparison.Ordinal);

        // On the wire: a trailers-only gRPC answer (HTTP 200), not a 429 page, with the wait as gRPC's retry pushback.
        var raw = await GrpcRawCall.SendAsync(server.GrpcAddress!, ModelInferMethod, Row());
        Assert.Equal(HttpStatusCode.OK, raw.HttpStatus);
        Assert.Equal("application/grpc", raw.ContentType);
        Assert.Equal((int)StatusCode.ResourceExhausted, raw.GrpcStatus);
        Assert.InRange(long.Parse(raw.RetryPushbackMs!, System.Globalization.CultureInfo.InvariantCulture), 1, 100_000);

        // Kubernetes' gRPC probes and Triton's liveness RPCs are never limited, as the HTTP health routes are not.
        var health = new Health.HealthClient(client.Channel);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
            Assert.True((await client.Inference.ServerLiveAsync(new ServerLiveRequest())).Live);
            Assert.True((await client.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        }
    }

    [Fact]
    public async Task A_message_that_is_not_valid_protobuf_is_invalid_argument_and_leaves_no_stack_trace_in_the_log()
    {
        using var repository = Scale("{}");
        var logs = new CapturedLogs();
        await using var server = await RunningServer.StartAsync(repository.Root, logs: logs);
        var row = Row().ToByteArray();

        // A 64-row request is large enough for the pooled raw-input reader; the small one goes to protobuf whole.
        var large = GrpcClient.Raw("scale", "x", "FP32", [64, 4], new float[256]).ToByteArray();
        var notUtf8 = new ModelMetadataRequest { Name = "scale" }.ToByteArray();
        notUtf8[2] = 0xFF;
        var cases = new (string Method, byte[] Payload, string Expected)[]
        {
            (ModelInferMethod, row[..^3], "ModelInferRequest"),
            (ModelInferMethod, large[..^3], "ModelInferRequest"),
            (ModelInferMethod, [.. row, 0x00], "ModelInferRequest"),
            ("/inference.GRPCInferenceService/ModelMetadata", notUtf8, "UTF-8"),
            ("/inference.GRPCInferenceService/RepositoryModelLoad", [0x0A, 0x7F, 0x61], "RepositoryModelLoadRequest"),
        };
        foreach (var (method, payload, expected) in cases)
        {
            var raw = await GrpcRawCall.SendAsync(server.GrpcAddress!, method, payload);
            Assert.Equal(HttpStatusCode.OK, raw.HttpStatus);
            Assert.True((int)StatusCode.InvalidArgument == raw.GrpcStatus, $"{method}: grpc-status {raw.GrpcStatus} {raw.GrpcMessage}");
            Assert.Contains("not a valid", raw.GrpcMessage, StringComparison.Ordinal);
            Assert.Contains(expected, raw.GrpcMessage, StringComparison.Ordinal);
        }

        Assert.Equal((int)StatusCode.OK, (await GrpcRawCall.SendAsync(server.GrpcAddress!, ModelInferMethod, row)).GrpcStatus);
        Assert.DoesNotContain(logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.DoesNotContain("InvalidProtocolBufferException", logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gzip_message_that_does_not_inflate_is_invalid_argument_and_leaves_no_stack_trace_in_the_log()
    {
        // Grpc.AspNetCore inflates before any marshaller: bad gzip was UNKNOWN "Exception was thrown by handler."
        using var repository = Scale("{}");
        var logs = new CapturedLogs();
        await using var server = await RunningServer.StartAsync(repository.Root, logs: logs);
        using var http = new HttpClient(new SocketsHttpHandler());
        using var gzip = new MemoryStream();
        using (var compressor = new System.IO.Compression.GZipStream(gzip, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            compressor.Write(Row().ToByteArray());
        }

        var valid = gzip.ToArray();
        var corrupt = (byte[])valid.Clone();
        corrupt[3] = 0xE0; // reserved header flags
        foreach (var payload in new[] { corrupt, "not gzip at all"u8.ToArray() })
        {
            var raw = await GrpcRawCall.SendGzipAsync(http, server.GrpcAddress!, ModelInferMethod, payload);
            Assert.True((int)StatusCode.InvalidArgument == raw.GrpcStatus, $"{Convert.ToHexString(payload)}: grpc-status {raw.GrpcStatus} {raw.GrpcMessage}");
            Assert.Contains("not valid gzip data", raw.GrpcMessage, StringComparison.Ordinal);
        }

        Assert.Equal((int)StatusCode.OK, (await GrpcRawCall.SendGzipAsync(http, server.GrpcAddress!, ModelInferMethod, valid)).GrpcStatus);
        Assert.DoesNotContain(logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task A_call_past_the_server_request_timeout_is_deadline_exceeded_naming_the_limit()
    {
        // The batch waits far longer than the server's 1 s limit for rows that never come.
        using var repository = Scale("{max_queue_delay_us: 60000000}");
        await using var server = await RunningServer.StartAsync(repository.Root, options => options.Limits.RequestTimeout = TimeSpan.FromSeconds(1));
        using var client = new GrpcClient(server);
        var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(Row()));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Contains("limits.request_timeout_seconds", ex.Status.Detail, StringComparison.Ordinal);

        var raw = await GrpcRawCall.SendAsync(server.GrpcAddress!, ModelInferMethod, Row());
        Assert.Equal(HttpStatusCode.OK, raw.HttpStatus);
        Assert.Equal("application/grpc", raw.ContentType);
        Assert.Equal((int)StatusCode.DeadlineExceeded, raw.GrpcStatus);
        Assert.Contains("limits.request_timeout_seconds", raw.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_ends_a_call_at_its_grpc_timeout_and_takes_it_out_of_the_queue()
    {
        // Sent by hand, so that the answer is the server's: a client library would end the call at the deadline itself.
        using var repository = Scale("{max_queue_delay_us: 60000000}");
        await using var server = await RunningServer.StartAsync(repository.Root);
        var raw = await GrpcRawCall.SendAsync(server.GrpcAddress!, ModelInferMethod, Row(), ("grpc-timeout", "300m"));
        Assert.Equal(HttpStatusCode.OK, raw.HttpStatus);
        Assert.Equal((int)StatusCode.DeadlineExceeded, raw.GrpcStatus);
        Assert.False(string.IsNullOrEmpty(raw.GrpcMessage));

        var manager = (ModelRepositoryManager)server.Services.GetService(typeof(ModelRepositoryManager))!;
        using var lease = manager.Acquire("scale");
        for (var i = 0; i < 1000 && lease.Model.Batcher!.QueuedRequests > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, lease.Model.Batcher!.QueuedRequests);
    }

    [Fact]
    public async Task A_grpc_net_client_deadline_ends_the_call_and_the_server_lets_go_of_the_request()
    {
        using var repository = Scale("{max_queue_delay_us: 60000000}");
        await using var server = await RunningServer.StartAsync(repository.Root);
        using var client = new GrpcClient(server);
        var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(Row(), deadline: DateTime.UtcNow.AddMilliseconds(300)));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);

        // The client gives up at its deadline on its own; the server must too, or the row would wait 60 s in the queue.
        var manager = (ModelRepositoryManager)server.Services.GetService(typeof(ModelRepositoryManager))!;
        using var lease = manager.Acquire("scale");
        for (var i = 0; i < 1000 && lease.Model.Batcher!.QueuedRequests > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, lease.Model.Batcher!.QueuedRequests);
        Assert.Equal(0UL, (await client.Inference.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "scale" })).ModelStats[0].ExecutionCount);
    }

    [Fact]
    public async Task A_timeout_parameter_that_passes_in_the_queue_is_deadline_exceeded_saying_which_timeout()
    {
        using var repository = Scale("{max_queue_delay_us: 60000000}");
        await using var server = await RunningServer.StartAsync(repository.Root);
        using var client = new GrpcClient(server);
        var request = Row();
        request.Parameters["timeout"] = new InferParameter { Int64Param = 200_000 };
        var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Contains("parameters.timeout (200000 µs)", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("in the queue", ex.Status.Detail, StringComparison.Ordinal);

        // Over a stream too: the answer carries the same message.
        using var stream = client.Inference.ModelStreamInfer();
        await stream.RequestStream.WriteAsync(request);
        await stream.RequestStream.CompleteAsync();
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains("parameters.timeout (200000 µs)", stream.ResponseStream.Current.ErrorMessage, StringComparison.Ordinal);
    }
}
