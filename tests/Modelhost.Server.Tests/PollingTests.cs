using System.Diagnostics;
using System.Net;
using Modelhost.Onnx;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

public sealed class PollingTests
{
    internal const string Body = """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""";

    internal static byte[] Scaled(float factor)
    {
        var builder = new OnnxGraphBuilder("scaled");
        builder.Input("x", OnnxDataType.Float, "N", 4);
        builder.Initializer("k", [factor]);
        builder.Node("Mul", ["x", "k"], ["y"]);
        builder.Output("y", OnnxDataType.Float, "N", 4);
        return builder.ToBytes();
    }

    [Fact]
    public async Task A_new_version_dropped_in_under_load_is_served_within_two_polls_without_a_failed_request()
    {
        var poll = TimeSpan.FromMilliseconds(500);
        using var repository = new TempRepository().AddVersion("scaled", 1, Scaled(1));
        await using var server = await RunningServer.StartAsync(repository.Root, o => o.Repository.PollInterval = poll);

        var failures = new List<string>();
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var sawVersion2 = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dropped = Stopwatch.StartNew();
        var load = Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var i = 0; i < 5000 && !stop.IsCancellationRequested && !sawVersion2.Task.IsCompleted; i++)
            {
                using var response = await server.PostJsonAsync("/v2/models/scaled/infer", Body);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    lock (failures)
                    {
                        failures.Add($"{(int)response.StatusCode} {text}");
                    }
                }
                else if (text.Contains("\"model_version\":\"2\"", StringComparison.Ordinal))
                {
                    Assert.Contains("[2,4,6,8]", text, StringComparison.Ordinal);
                    sawVersion2.TrySetResult(dropped.Elapsed);
                }
                else
                {
                    Assert.Contains("[1,2,3,4]", text, StringComparison.Ordinal);
                }
            }
        }).ToArray();

        await Task.Delay(300);
        dropped.Restart();
        repository.AddVersion("scaled", 2, Scaled(2));
        var elapsed = await sawVersion2.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        // Two polls, plus the time to load the model on a busy machine.
        Assert.True(elapsed < (2 * poll) + TimeSpan.FromSeconds(2), $"version 2 was first served after {elapsed}");
    }

    [Fact]
    public async Task A_removed_version_stops_being_served_and_the_model_falls_back()
    {
        var poll = TimeSpan.FromMilliseconds(300);
        using var repository = new TempRepository()
            .AddVersion("scaled", 1, Scaled(1))
            .AddVersion("scaled", 2, Scaled(2))
            .AddConfig("scaled", "version_policy: {all: true}\n");
        await using var server = await RunningServer.StartAsync(repository.Root, o => o.Repository.PollInterval = poll);
        var before = await server.PostJsonOkAsync("/v2/models/scaled/infer", Body);
        Assert.Equal("2", before.GetProperty("model_version").GetString());

        Directory.Delete(Path.Combine(repository.Root, "scaled", "2"), recursive: true);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var json = await server.PostJsonOkAsync("/v2/models/scaled/infer", Body);
            if (json.GetProperty("model_version").GetString() == "1")
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("version 1 never took over");
    }
}
