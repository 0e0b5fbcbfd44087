using System.Net;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class BatchingTests
{
    private static string Row(float a, float b, float c, float d) =>
        $$"""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[{{a}},{{b}},{{c}},{{d}}]}],"outputs":[{"name":"scores"}]}""";

    [Fact]
    public async Task Concurrent_requests_are_merged_and_each_gets_its_own_rows()
    {
        using var repository = new TempRepository()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "max_batch_size: 16\ndynamic_batching: {max_queue_delay_us: 20000}\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        var tasks = Enumerable.Range(0, 24).Select(async i =>
        {
            var json = await server.PostJsonOkAsync("/v2/models/scale/infer", Row(i, 0, 0, 1));
            var data = json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal([(2 * i) + 1, 1f, 1f], data);
            Assert.Equal("[1,3]", json.GetProperty("outputs")[0].GetProperty("shape").GetRawText());
        });
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_at_once()
    {
        using var repository = new TempRepository()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "max_batch_size: 64\ndynamic_batching: {max_queue_delay_us: 3000000, max_queue_size: 2}\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        var waiting = new[] { server.PostJsonAsync("/v2/models/scale/infer", Row(1, 1, 1, 0)), server.PostJsonAsync("/v2/models/scale/infer", Row(1, 1, 1, 0)) };
        await WaitForQueueAsync(server, 2);
        using var rejected = await server.PostJsonAsync("/v2/models/scale/infer", Row(1, 1, 1, 0));
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.NotNull(rejected.Headers.RetryAfter);
        Assert.Contains("queue", await RunningServer.ErrorOf(rejected), StringComparison.OrdinalIgnoreCase);
        foreach (var response in await Task.WhenAll(waiting))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_request_that_expires_in_the_queue_answers_504()
    {
        using var repository = new TempRepository()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "max_batch_size: 64\ndynamic_batching: {max_queue_delay_us: 3000000}\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        var body = """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,1,1,0]}],"parameters":{"timeout_ms":100}}""";
        using var expired = await server.PostJsonAsync("/v2/models/scale/infer", body);
        Assert.Equal(HttpStatusCode.GatewayTimeout, expired.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/scale/infer") { Content = RunningServer.Json(Row(1, 1, 1, 0)) };
        request.Headers.Add("X-Request-Timeout-Ms", "100");
        using var viaHeader = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.GatewayTimeout, viaHeader.StatusCode);
    }

    [Theory]
    [InlineData("""{"timeout":100000}""")]
    [InlineData("""{"timeout_ms":60000,"timeout":100000}""")]
    [InlineData("""{"timeout":100000,"timeout_ms":60000}""")]
    [InlineData("""{"timeout":60000000,"timeout_ms":100}""")]
    public async Task Tritons_timeout_in_microseconds_bounds_the_queue_too_and_the_shorter_deadline_wins(string parameters)
    {
        // tritonclient.http's infer(timeout=...) sends parameters.timeout in microseconds; it was ignored over HTTP.
        using var repository = new TempRepository()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "max_batch_size: 64\ndynamic_batching: {max_queue_delay_us: 30000000}\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        var body = $$"""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,1,1,0]}],"parameters":{{parameters}}}""";
        using var expired = await server.PostJsonAsync("/v2/models/scale/infer", body);
        Assert.Equal(HttpStatusCode.GatewayTimeout, expired.StatusCode);
    }

    [Fact]
    public async Task A_request_with_more_rows_than_max_batch_size_answers_400()
    {
        using var repository = new TempRepository()
            .AddVersion("scale", 1, OnnxModels.ScaleAndLabel())
            .AddConfig("scale", "max_batch_size: 2\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        using var response = await server.PostJsonAsync("/v2/models/scale/infer", """{"inputs":[{"name":"x","shape":[3,4],"datatype":"FP32","data":[1,1,1,0,1,1,1,0,1,1,1,0]}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("max_batch_size", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    private static async Task WaitForQueueAsync(RunningServer server, int count)
    {
        var manager = (Core.Models.ModelRepositoryManager)server.Services.GetService(typeof(Core.Models.ModelRepositoryManager))!;
        for (var i = 0; i < 500; i++)
        {
            using var lease = manager.Acquire("scale");
            if (lease.Model.Batcher!.QueuedRequests >= count)
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("the requests never reached the queue");
    }
}
