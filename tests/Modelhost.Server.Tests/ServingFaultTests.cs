using System.Net;
using System.Text.Json;
using Modelhost.Server.Tests.Infrastructure;
using static Modelhost.Server.Tests.PollingTests;

namespace Modelhost.Server.Tests;

/// <summary>Issue 12's first guarantee: serving never gets worse because of a fault in the repository.</summary>
[Trait("Category", "Reliability")]
public sealed class ServingFaultTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_broken_new_version_beside_a_working_one_fails_no_request_until_a_good_one_replaces_it()
    {
        using var repository = new TempRepository().AddVersion("scaled", 3, Scaled(3));
        await using var server = await RunningServer.StartAsync(repository.Root, o => o.Repository.PollInterval = Poll);
        await using var load = new RequestLoad(server, "/v2/models/scaled/infer", Body);

        var good = Scaled(4);
        repository.AddVersion("scaled", 4, good[..(good.Length / 2)]);
        await RequestLoad.WaitUntilAsync(async () => Row(await IndexAsync(server), "scaled", "4")?.State == "UNAVAILABLE", Bound, "version 4 to fail");
        await WaitForAFullPollAsync(repository, server);

        var index = await IndexAsync(server);
        Assert.Equal("READY", Row(index, "scaled", "3")?.State);
        Assert.NotEqual(string.Empty, Row(index, "scaled", "4")?.Reason);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/health/ready")).StatusCode);
        Assert.True(load.Answered("3"));

        // A good version 4, written over the broken one, takes over as before.
        File.WriteAllBytes(Path.Combine(repository.Root, "scaled", "4", "model.onnx"), good);
        await RequestLoad.WaitUntilAsync(() => Task.FromResult(load.Answered("4")), Bound, "version 4 to serve");
        await RequestLoad.WaitUntilAsync(async () => Row(await IndexAsync(server), "scaled", "3") is null, Bound, "version 3 to retire");

        Assert.Empty(await load.StopAsync());
        Assert.True(load.Requests > 0);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Under_latest_two_a_broken_newest_version_keeps_the_two_working_ones_serving()
    {
        using var repository = new TempRepository()
            .AddVersion("scaled", 1, Scaled(1))
            .AddVersion("scaled", 2, Scaled(2))
            .AddVersion("scaled", 3, Scaled(3))
            .AddConfig("scaled", "version_policy: {latest: 2}\n");
        await using var server = await RunningServer.StartAsync(repository.Root, o => o.Repository.PollInterval = Poll);
        Assert.Equal("""["3","2"]""", await ServedVersionsAsync(server));

        repository.AddVersion("scaled", 4, [1, 2, 3, 4]);
        await RequestLoad.WaitUntilAsync(async () => Row(await IndexAsync(server), "scaled", "4")?.State == "UNAVAILABLE", Bound, "version 4 to fail");
        await WaitForAFullPollAsync(repository, server);
        Assert.Equal("""["3","2"]""", await ServedVersionsAsync(server));

        repository.AddVersion("scaled", 4, Scaled(4));
        await RequestLoad.WaitUntilAsync(async () => await ServedVersionsAsync(server) == """["4","3"]""", Bound, "versions 4 and 3 to serve");
    }

    [Theory]
    [InlineData("scaled")]
    [InlineData("scaled/1")]
    public async Task An_unreadable_model_or_version_directory_keeps_serving_and_shows_the_error_while_it_lasts(string directory)
    {
        using var repository = new TempRepository().AddVersion("scaled", 1, Scaled(1));

        // The directory is a link to a mounted volume (inside the repository, as links may not leave it) from the start;
        // the fault swaps that link, in one rename, for one that leads nowhere, as when the volume is unmounted: opening
        // it fails (ENOENT through the link), for root too, unlike chmod 000. Swapping in one step matters: a poll
        // between removing the directory and adding the link would rightly see the version gone and unload it.
        var model = Path.Combine(repository.Root, directory);
        var volume = Path.Combine(repository.Root, ".mounted", directory);
        Directory.CreateDirectory(Path.GetDirectoryName(volume)!);
        Directory.Move(model, volume);
        File.CreateSymbolicLink(model, volume);
        await using var server = await RunningServer.StartAsync(repository.Root, o => o.Repository.PollInterval = Poll);
        await using var load = new RequestLoad(server, "/v2/models/scaled/infer", Body);

        SwapLink(repository, model, Path.Combine(repository.Root, ".volume", directory));
        try
        {
            await RequestLoad.WaitUntilAsync(async () => Row(await IndexAsync(server), "scaled", "1")?.Reason.Contains("cannot read", StringComparison.Ordinal) == true, Bound, "the index to show the error");
            await WaitForAFullPollAsync(repository, server);
            Assert.Equal("READY", Row(await IndexAsync(server), "scaled", "1")?.State);
            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/health/ready")).StatusCode);
        }
        finally
        {
            SwapLink(repository, model, volume);
        }

        await RequestLoad.WaitUntilAsync(async () => Row(await IndexAsync(server), "scaled", "1")?.Reason == string.Empty, Bound, "the error to clear");
        Assert.Equal("READY", Row(await IndexAsync(server), "scaled", "1")?.State);
        Assert.Empty(await load.StopAsync());
        Assert.True(load.Requests > 0);
    }

    // rename(2) replaces the old link atomically; the new one is made beside the repository so no poll sees it.
    // mv -T, because File.Move refuses a source link that leads nowhere.
    private static void SwapLink(TempRepository repository, string link, string target)
    {
        var staged = repository.Root + "-staged-link";
        File.CreateSymbolicLink(staged, target);
        using var mv = System.Diagnostics.Process.Start("mv", ["-T", staged, link]);
        mv.WaitForExit();
        Assert.Equal(0, mv.ExitCode);
    }

    [Fact]
    public async Task A_repository_root_that_cannot_be_read_keeps_every_model_serving()
    {
        using var repository = new TempRepository().AddVersion("scaled", 1, Scaled(1));
        await using var server = await RunningServer.StartAsync(repository.Root, o => o.Repository.PollInterval = Poll);
        await using var load = new RequestLoad(server, "/v2/models/scaled/infer", Body);

        var away = repository.Root + "-away";
        Directory.Move(repository.Root, away);
        File.CreateSymbolicLink(repository.Root, repository.Root + "-unmounted");
        try
        {
            await RequestLoad.WaitUntilAsync(async () => Row(await IndexAsync(server), "scaled", "1")?.Reason.Contains("does not exist", StringComparison.Ordinal) == true, Bound, "the index to show the error");
            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/health/ready")).StatusCode);
        }
        finally
        {
            File.Delete(repository.Root);
            Directory.Move(away, repository.Root);
        }

        await RequestLoad.WaitUntilAsync(async () => Row(await IndexAsync(server), "scaled", "1")?.Reason == string.Empty, Bound, "the error to clear");
        Assert.Empty(await load.StopAsync());
    }

    [Fact]
    public async Task Readiness_is_400_naming_a_model_whose_load_failed_until_an_operator_unloads_it()
    {
        using var repository = new TempRepository().AddVersion("scaled", 1, Scaled(1)).AddVersion("broken", 1, [1, 2, 3, 4]);
        await using var server = await RunningServer.StartAsync(repository.Root);

        using (var response = await server.Client.GetAsync("/v2/health/ready"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.False(body.GetProperty("ready").GetBoolean());
            var model = Assert.Single(body.GetProperty("models").EnumerateArray());
            Assert.Equal("broken", model.GetProperty("name").GetString());
            Assert.Contains("version 1 is unavailable", model.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        (await server.PostJsonAsync("/v2/repository/models/broken/unload", "{}")).EnsureSuccessStatusCode();
        using (var response = await server.Client.GetAsync("/v2/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(body.GetProperty("ready").GetBoolean());
            Assert.Empty(body.GetProperty("models").EnumerateArray());
        }
    }

    /// <summary>Adds a marker model and waits until it serves: the poll that loads it started after everything before.</summary>
    private static async Task WaitForAFullPollAsync(TempRepository repository, RunningServer server)
    {
        var name = "marker-" + Guid.NewGuid().ToString("N")[..8];
        repository.AddVersion(name, 1, Scaled(1));
        await RequestLoad.WaitUntilAsync(async () => Row(await IndexAsync(server), name, "1")?.State == "READY", Bound, "a full poll");
    }

    private static async Task<string> ServedVersionsAsync(RunningServer server) =>
        JsonDocument.Parse(await server.Client.GetStringAsync("/v2/models/scaled")).RootElement.GetProperty("versions").GetRawText();

    private static async Task<JsonElement> IndexAsync(RunningServer server) => await server.PostJsonOkAsync("/v2/repository/index", "{}");

    private static (string State, string Reason)? Row(JsonElement index, string model, string version)
    {
        foreach (var row in index.EnumerateArray())
        {
            if (row.GetProperty("name").GetString() == model && row.TryGetProperty("version", out var v) && v.GetString() == version)
            {
                return (row.GetProperty("state").GetString()!, row.GetProperty("reason").GetString()!);
            }
        }

        return null;
    }
}
