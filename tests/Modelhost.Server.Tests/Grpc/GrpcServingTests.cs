using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Server.Security;
using Modelhost.Server.Tests.Infrastructure;
using Modelhost.Server.Tests.Security;

namespace Modelhost.Server.Tests.Grpc;

/// <summary>The gRPC endpoint with its own servers: batching with HTTP, deadlines, limits, access control, ports, probes.</summary>
public sealed class GrpcServingTests
{
    private static TempRepository Scale(string dynamicBatching) => new TempRepository()
        .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
        .AddConfig("scale", $"max_batch_size: 16\ndynamic_batching: {dynamicBatching}\n");

    private static string Row(int i) => $$"""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[{{i}},0,0,1]}],"outputs":[{"name":"scores"}]}""";

    [Fact]
    public async Task Concurrent_grpc_and_http_requests_are_merged_into_one_batch()
    {
        // A delay far longer than the test: the batch runs only when all 16 rows, 8 from each protocol, are queued.
        using var repository = Scale("{max_queue_delay_us: 60000000}");
        await using var server = await RunningServer.StartAsync(repository.Root);
        using var client = new GrpcClient(server);
        var grpc = Enumerable.Range(0, 8).Select(async i =>
        {
            var response = await client.Inference.ModelInferAsync(GrpcClient.Raw("scale", "x", "FP32", [1, 4], [i, 0f, 0f, 1f]));
            Assert.Equal([(2f * i) + 1, 1f, 1f], GrpcClient.Values<float>(response.RawOutputContents[0]));
        });
        var http = Enumerable.Range(100, 8).Select(async i =>
        {
            var json = await server.PostJsonOkAsync("/v2/models/scale/infer", Row(i));
            Assert.Equal([(2f * i) + 1, 1f, 1f], json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()));
        });
        await Task.WhenAll(grpc.Concat(http));

        var stats = (await client.Inference.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "scale" })).ModelStats[0];
        Assert.Equal(1UL, stats.ExecutionCount);
        Assert.Equal(16UL, Assert.Single(stats.BatchStats).BatchSize);
    }

    [Fact]
    public async Task A_request_whose_timeout_passes_in_the_queue_is_deadline_exceeded()
    {
        using var repository = Scale("{max_queue_delay_us: 3000000}");
        await using var server = await RunningServer.StartAsync(repository.Root);
        using var client = new GrpcClient(server);
        var request = GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 1f, 1f, 0f]);
        request.Parameters["timeout"] = new InferParameter { Int64Param = 100_000 };
        request.Parameters["priority"] = new InferParameter { Uint64Param = 1 };
        var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);

        request.Parameters["timeout"] = new InferParameter { StringParam = "soon" };
        ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("parameters.timeout", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_queue_is_resource_exhausted()
    {
        using var repository = Scale("{max_queue_delay_us: 3000000, max_queue_size: 2}");
        await using var server = await RunningServer.StartAsync(repository.Root);
        using var client = new GrpcClient(server);
        var waiting = new[]
        {
            client.Inference.ModelInferAsync(GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 1f, 1f, 0f])).ResponseAsync,
            client.Inference.ModelInferAsync(GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 1f, 1f, 0f])).ResponseAsync,
        };
        var manager = (Core.Models.ModelRepositoryManager)server.Services.GetService(typeof(Core.Models.ModelRepositoryManager))!;
        for (var i = 0; i < 500; i++)
        {
            using var lease = manager.Acquire("scale");
            if (lease.Model.Batcher!.QueuedRequests >= 2)
            {
                break;
            }

            await Task.Delay(10);
        }

        var ex = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(GrpcClient.Raw("scale", "x", "FP32", [1, 4], [1f, 1f, 1f, 0f])));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("queue", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        await Task.WhenAll(waiting);
    }

    [Fact]
    public async Task A_message_over_the_receive_limit_is_resource_exhausted_even_when_gzip_makes_it_small()
    {
        using var repository = new TempRepository().AddVersion("scale", 1, OnnxModels.ScaleAndLabel());
        await using var server = await RunningServer.StartAsync(repository.Root, o => o.Grpc.MaxReceiveMessageBytes = 16384);
        using var client = new GrpcClient(server);
        var gzip = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        var small = GrpcClient.Raw("scale", "x", "FP32", [512, 4], new float[2048]);
        Assert.Equal([512L], (await client.Inference.ModelInferAsync(small, gzip)).Outputs[1].Shape);

        // The limit is on the message as decompressed: 32 KiB of zeros gzip to almost nothing, and are still refused.
        var big = GrpcClient.Raw("scale", "x", "FP32", [2048, 4], new float[8192]);
        Assert.Equal(StatusCode.ResourceExhausted, (await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(big))).StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, (await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(big, gzip))).StatusCode);
    }

    [Fact]
    public async Task A_gzip_bomb_is_refused_at_the_receive_limit_without_being_inflated()
    {
        // 512 MiB of zeros in 520 KB of gzip (eight members of 64 MiB), under the 1 MiB limit as sent. Inflated whole, it
        // would hold half a gigabyte, and 64 MiB of such gzip (the default limit) 64 GiB. Grpc.AspNetCore 2.85 refuses it
        // without inflating it (4.9 MB allocated with its own gzip provider, measured before CheckedCompressionProvider
        // wrapped it); this keeps it so through the wrapper and any later package version.
        using var repository = new TempRepository().AddVersion("scale", 1, OnnxModels.ScaleAndLabel());
        await using var server = await RunningServer.StartAsync(repository.Root, o => o.Grpc.MaxReceiveMessageBytes = 1024 * 1024);
        using var member = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(member, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                gzip.Write(zeros);
            }
        }

        var bomb = Enumerable.Repeat(member.ToArray(), 8).SelectMany(b => b).ToArray();
        Assert.True(bomb.Length < 1024 * 1024, $"{bomb.Length} bytes of gzip");
        using var http = new HttpClient(new SocketsHttpHandler());
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var raw = await GrpcRawCall.SendGzipAsync(http, server.GrpcAddress!, "/inference.GRPCInferenceService/ModelInfer", bomb);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal((int)StatusCode.ResourceExhausted, raw.GrpcStatus);
        Assert.Contains("exceeds the maximum configured message size", raw.GrpcMessage, StringComparison.Ordinal);

        // The server runs in this process: everything it allocated for the call is counted here.
        Assert.True(allocated < 64L * 1024 * 1024, $"{allocated:N0} bytes allocated while the bomb was read");
    }

    [Fact]
    public async Task Access_control_answers_unauthenticated_and_permission_denied_with_the_http_roles()
    {
        var keys = new TestKeys();
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root, keys.Apply);
        using var client = new GrpcClient(server);
        var request = GrpcClient.Raw("iris", "input", "FP32", [1, 4], [5.1f, 3.5f, 1.4f, 0.2f]);

        var none = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request));
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Contains("x-api-token", none.Status.Detail, StringComparison.Ordinal);
        var wrong = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request, new Metadata { { "x-api-token", "mh_not_a_key" } }));
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);

        var infer = new Metadata { { "x-api-token", keys.Clear[Role.Infer] } };
        Assert.Equal("iris", (await client.Inference.ModelInferAsync(request, infer)).ModelName);
        var bearer = new Metadata { { "authorization", "Bearer " + keys.Clear[Role.Infer] } };
        Assert.Equal("iris", (await client.Inference.ModelInferAsync(request, bearer)).ModelName);

        var denied = await GrpcClient.FailsAsync(client.Inference.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "iris" }, infer));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("needs the manage role", denied.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, (await GrpcClient.FailsAsync(client.Inference.RepositoryIndexAsync(new RepositoryIndexRequest(), infer))).StatusCode);
        var manage = new Metadata { { "x-api-token", keys.Clear[Role.Manage] } };
        Assert.Contains((await client.Inference.RepositoryIndexAsync(new RepositoryIndexRequest(), manage)).Models, m => m.Name == "iris");

        // The probes stay open, as /v2/health/* do.
        Assert.True((await client.Inference.ServerLiveAsync(new ServerLiveRequest())).Live);
        var health = new Health.HealthClient(client.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task Repository_changes_over_grpc_are_audited_with_the_model_and_the_grpc_status()
    {
        var keys = new TestKeys();
        var logs = new CapturedLogs();
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root, keys.Apply, logs);
        using var client = new GrpcClient(server);
        var manage = new Metadata { { "x-api-token", keys.Clear[Role.Manage] } };
        var infer = new Metadata { { "x-api-token", keys.Clear[Role.Infer] } };

        await client.Inference.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "iris" }, manage);
        Assert.Equal(StatusCode.PermissionDenied, (await GrpcClient.FailsAsync(client.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "iris" }, infer))).StatusCode);
        var missing = await GrpcClient.FailsAsync(client.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "nosuch" }, manage));
        _ = await client.Inference.ServerMetadataAsync(new ServerMetadataRequest(), infer);

        // Every answer is HTTP 200; the grpc-status says what happened. Access control refuses before the service reads
        // the message, so a refused call names no model. Inference calls are not audited.
        var audit = logs.Lines.Where(l => l.Category == "Modelhost.Audit").ToList();
        Assert.All(audit, l => Assert.Equal(1405, l.EventId));
        Assert.Equal(3, audit.Count);
        Assert.Contains("key=key-manage POST /inference.GRPCInferenceService/RepositoryModelUnload target=model=iris status=200 grpc-status=0", audit[0].Message, StringComparison.Ordinal);
        Assert.Contains("key=key-infer POST /inference.GRPCInferenceService/RepositoryModelLoad target=- status=200 grpc-status=7", audit[1].Message, StringComparison.Ordinal);
        Assert.Contains($"key=key-manage POST /inference.GRPCInferenceService/RepositoryModelLoad target=model=nosuch status=200 grpc-status={(int)missing.StatusCode}", audit[2].Message, StringComparison.Ordinal);
        Assert.NotEqual(StatusCode.OK, missing.StatusCode);
    }

    [Fact]
    public async Task The_health_service_reports_readiness_and_reflection_lists_the_service()
    {
        using var repository = new TempRepository().AddIris().AddVersion("broken", 1, [1, 2, 3]);
        await using var server = await RunningServer.StartAsync(repository.Root);
        using var client = new GrpcClient(server);
        var health = new Health.HealthClient(client.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "inference.GRPCInferenceService" })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "live" })).Status);
        Assert.False((await client.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);

        var reflection = new ServerReflection.ServerReflectionClient(client.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "inference.GRPCInferenceService");
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_model_with_no_version_that_loads_is_unavailable_to_infer_and_to_load_and_not_ready()
    {
        // "broken" is known (its directory is there) but cannot serve: UNAVAILABLE, as Triton answers, not NOT_FOUND.
        using var repository = new TempRepository().AddIris().AddVersion("broken", 1, [1, 2, 3]);
        await using var server = await RunningServer.StartAsync(repository.Root);
        using var client = new GrpcClient(server);
        await RequestLoad.WaitUntilAsync(
            async () => (await client.Inference.RepositoryIndexAsync(new RepositoryIndexRequest())).Models.Any(m => m.Name == "broken" && m.State == "UNAVAILABLE"),
            TimeSpan.FromSeconds(20),
            "version 1 of 'broken' to fail");

        var infer = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(GrpcClient.Raw("broken", "x", "FP32", [1, 4], [1f, 2f, 3f, 4f])));
        Assert.Equal(StatusCode.Unavailable, infer.StatusCode);
        Assert.Contains("version 1 is unavailable", infer.Status.Detail, StringComparison.Ordinal);
        var load = await GrpcClient.FailsAsync(client.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "broken" }));
        Assert.Equal(StatusCode.Unavailable, load.StatusCode);
        Assert.Contains("failed to load", load.Status.Detail, StringComparison.Ordinal);
        Assert.False((await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "broken" })).Ready);

        // The health service's check says which model holds readiness back (it logged '(null)').
        var health = await server.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        var description = health.Entries["models"].Description;
        Assert.StartsWith("models not ready: broken: ", description, StringComparison.Ordinal);

        // The model beside it serves as before.
        Assert.True((await client.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "iris" })).Ready);
        Assert.Equal("iris", (await client.Inference.ModelInferAsync(GrpcClient.Raw("iris", "input", "FP32", [1, 4], [5.9f, 3f, 5.1f, 1.8f]))).ModelName);
    }

    [Fact]
    public async Task From_the_moment_the_server_begins_to_stop_calls_are_unavailable_and_every_readiness_probe_says_so()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);
        using var client = new GrpcClient(server);
        var request = GrpcClient.Raw("iris", "input", "FP32", [1, 4], [5.9f, 3f, 5.1f, 1.8f]);
        Assert.Equal("iris", (await client.Inference.ModelInferAsync(request)).ModelName);
        var health = new Health.HealthClient(client.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        // What SIGTERM does first: the lifetime says the server is stopping. Kestrel goes on answering until the host
        // stops it, and a load balancer that still sends calls meanwhile must be told to go elsewhere.
        server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var refused = await GrpcClient.FailsAsync(client.Inference.ModelInferAsync(request));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("shutting down", refused.Status.Detail, StringComparison.Ordinal);
        Assert.False((await client.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = "inference.GRPCInferenceService" })).Status);
        using var ready = await server.Client.GetAsync("/v2/health/ready");
        Assert.Equal(HttpStatusCode.BadRequest, ready.StatusCode);
        Assert.Contains("shutting down", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Still alive: a liveness probe that failed now would have the process killed before it drains.
        Assert.True((await client.Inference.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "live" })).Status);
    }

    [Fact]
    public async Task The_http_routes_and_the_grpc_service_each_answer_on_their_own_port_only()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        // gRPC to the HTTP port fails: in cleartext that port speaks HTTP/1.1, and over HTTP/2 it would answer 404.
        using var wrongPort = GrpcChannel.ForAddress(server.Address);
        var inference = new GRPCInferenceService.GRPCInferenceServiceClient(wrongPort);
        Assert.Contains((await GrpcClient.FailsAsync(inference.ServerLiveAsync(new ServerLiveRequest()))).StatusCode, new[] { StatusCode.Internal, StatusCode.Unimplemented });

        // An HTTP route on the gRPC port (HTTP/2 in cleartext): a gRPC UNIMPLEMENTED, not the route.
        using var http2 = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http2.GetAsync(new Uri(server.GrpcAddress!, "/v2/health/live"));
        Assert.Equal("12", response.Headers.GetValues("grpc-status").Single());
        Assert.Contains("the HTTP routes answer on the HTTP port", Uri.UnescapeDataString(response.Headers.GetValues("grpc-message").Single()), StringComparison.Ordinal);

        // A gRPC method this server lacks is told apart from an HTTP route: the answer names what is served.
        using var grpc = new HttpClient(new SocketsHttpHandler());
        var missing = await GrpcRawCall.SendAsync(grpc, server.GrpcAddress!, "/inference.GRPCInferenceService/CudaSharedMemoryMap", []);
        Assert.Equal(12, missing.GrpcStatus);
        Assert.Contains("not a method of this server: it serves inference.GRPCInferenceService", missing.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_keyless_server_refuses_a_grpc_call_for_a_foreign_host_name_with_a_grpc_status()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        // A page on evil.example rebinding its name to 127.0.0.1 would send this Host; the answer is a gRPC status.
        using var client = new GrpcClient(server);
        var ex = await GrpcClient.FailsAsync(client.Inference.ServerMetadataAsync(new ServerMetadataRequest(), new Metadata { { "host", "evil.example" } }));
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains("the Host header 'evil.example' is not allowed", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_turned_off_listens_on_no_grpc_port()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root, o => o.Grpc.Urls = string.Empty);
        Assert.Null(server.GrpcAddress);
        using var response = await server.Client.GetAsync("/v2/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
