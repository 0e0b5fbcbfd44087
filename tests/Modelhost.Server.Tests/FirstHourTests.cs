using System.Net;
using System.Text.Json;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests;

/// <summary>What a new user meets in the first hour: the index, the default model, readable errors, the home page.</summary>
public sealed class FirstHourTests
{
    private const string SeedRow = """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""";

    [Fact]
    public async Task The_repository_index_lists_a_model_folder_added_after_the_last_scan_without_loading_it()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);
        repository.AddIris("iris_new", isDefault: false);

        var index = await server.PostJsonOkAsync("/v2/repository/index", "{}");
        var added = index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "iris_new");
        Assert.Equal("1", added.GetProperty("version").GetString());
        Assert.Equal("UNAVAILABLE", added.GetProperty("state").GetString());
        Assert.Contains("not loaded yet", added.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("READY", index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "iris").GetProperty("state").GetString());

        // Listed, not loaded: loading it is the load call's work.
        using (var missing = await server.PostJsonAsync("/v2/models/iris_new/infer", """{"inputs":[]}"""))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        (await server.PostJsonAsync("/v2/repository/models/iris_new/load", "{}")).EnsureSuccessStatusCode();
        index = await server.PostJsonOkAsync("/v2/repository/index", "{}");
        Assert.Equal("READY", index.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "iris_new").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Two_default_models_are_a_config_error_named_by_predict_and_the_index_with_readable_quotes()
    {
        using var repository = new TempRepository().AddIris().AddIris("iris_copy");
        await using var server = await RunningServer.StartAsync(repository.Root);

        using var response = await server.PostJsonAsync("/predict", SeedRow);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.Contains("models 'iris' and 'iris_copy' are both marked default: true", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", raw, StringComparison.Ordinal);

        using var indexResponse = await server.PostJsonAsync("/v2/repository/index", "{}");
        var indexText = await indexResponse.Content.ReadAsStringAsync();
        using var index = JsonDocument.Parse(indexText);
        foreach (var name in new[] { "iris", "iris_copy" })
        {
            var row = index.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
            Assert.Contains("models 'iris' and 'iris_copy' are both marked default: true", row.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("\\u0027", indexText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unloaded_default_model_makes_predict_say_it_is_unloaded()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);
        (await server.PostJsonAsync("/v2/repository/models/iris/unload", "{}")).EnsureSuccessStatusCode();

        using var response = await server.PostJsonAsync("/predict", SeedRow);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("the default model 'iris' is unloaded", await RunningServer.ErrorOf(response), StringComparison.Ordinal);

        (await server.PostJsonAsync("/v2/repository/models/iris/load", "{}")).EnsureSuccessStatusCode();
        var ok = await server.PostJsonOkAsync("/predict", SeedRow);
        Assert.Equal("[2]", ok.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Error_messages_keep_angle_brackets()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        using var bad = await server.PostJsonAsync("/v2/models/nope<x>/infer", """{"inputs":[]}""");
        var text = await bad.Content.ReadAsStringAsync();
        Assert.Contains("'nope<x>'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u003C", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_root_answers_a_browser_the_dashboard_and_a_program_kserves_v1_liveness_and_post_root_still_detects()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        // The dashboard (web/, built beside the server) replaced the first-hour home page at GET /, for a browser's
        // navigation (what Chromium sends).
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        using var response = await server.Client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Modelhost", html, StringComparison.Ordinal);
        Assert.Contains("/assets/", html, StringComparison.Ordinal);

        // A program (curl, KServe's SDK with its default v1 protocol, whose is_server_live() reads this body) gets
        // KServe's V1 liveness, with no key, as /v2/health/live.
        foreach (var accept in new[] { null, "*/*", "application/json" })
        {
            using var call = new HttpRequestMessage(HttpMethod.Get, "/");
            if (accept is not null)
            {
                call.Headers.TryAddWithoutValidation("Accept", accept);
            }

            using var alive = await server.Client.SendAsync(call);
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
            Assert.Equal("application/json", alive.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Accept", alive.Headers.Vary);
            Assert.Equal("alive", JsonDocument.Parse(await alive.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        }

        // POST / is still the seed's detection route (no detector here: 404 saying so, not 405).
        using var post = await server.PostJsonAsync("/", """{"image":"x"}""");
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Contains("vision", await RunningServer.ErrorOf(post), StringComparison.Ordinal);
    }
}
