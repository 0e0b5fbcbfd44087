using System.Net;
using System.Text.Json;
using Modelhost.Server.Dashboard;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Dashboard;

/// <summary>The dashboard's files at / and the two APIs it reads that the other protocols lack.</summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task Get_root_and_every_client_page_answer_the_dashboard_page_never_cached()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        foreach (var path in (string[])["/", .. DashboardEndpoints.Pages])
        {
            using var request = Navigation(path);
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.True(response.Headers.CacheControl?.NoCache, path + " must not be cached");
            Assert.Contains("<div id=\"root\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_hashed_script_the_page_names_is_served_with_a_year_long_immutable_cache()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        using var request = Navigation("/");
        using var navigation = await server.Client.SendAsync(request);
        var page = await navigation.Content.ReadAsStringAsync();
        var script = System.Text.RegularExpressions.Regex.Match(page, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;
        Assert.NotEmpty(script);
        using var response = await server.Client.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromDays(365), response.Headers.CacheControl?.MaxAge);
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/assets/missing-123.js")]
    [InlineData("/assets/..%2Findex.html")]
    [InlineData("/assets/.hidden")]
    public async Task A_missing_or_unsafe_asset_name_is_a_404_with_a_json_error(string path)
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        using var response = await server.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("dashboard file", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_root_stays_the_detection_route()
    {
        using var repository = new TempRepository().AddIris();
        await using var server = await RunningServer.StartAsync(repository.Root);

        using var response = await server.PostJsonAsync("/", """{"requests":[]}""");
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_v1_models_lists_each_model_with_state_versions_features_and_signature()
    {
        using var repository = new TempRepository().AddIris().AddVersion("broken", 1, [1, 2, 3]);
        await using var server = await RunningServer.StartAsync(repository.Root);

        var list = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/models")).RootElement;
        Assert.Equal("iris", list.GetProperty("default_model").GetString());
        var models = list.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        var iris = models["iris"];
        Assert.Equal("READY", iris.GetProperty("state").GetString());
        Assert.Equal("1", iris.GetProperty("versions")[0].GetProperty("version").GetString());
        Assert.Equal(4, iris.GetProperty("features").GetArrayLength());
        Assert.Equal("virginica", iris.GetProperty("class_labels")[2].GetString());
        Assert.Equal("FP32", iris.GetProperty("inputs")[0].GetProperty("datatype").GetString());
        Assert.Equal(JsonValueKind.Null, iris.GetProperty("vision").ValueKind);

        var broken = models["broken"];
        Assert.Equal("UNAVAILABLE", broken.GetProperty("state").GetString());
        Assert.Contains("cannot load", broken.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, broken.GetProperty("inputs").GetArrayLength());
    }

    [Fact]
    public async Task Get_v1_models_names_a_broken_model_yaml_relative_to_the_repository()
    {
        using var repository = new TempRepository().AddIris().AddIris("broken", isDefault: false).AddConfig("broken", "features: [a\nx: 'y'\n");
        await using var server = await RunningServer.StartAsync(repository.Root);

        var text = await server.Client.GetStringAsync("/v1/models");
        var broken = JsonDocument.Parse(text).RootElement.GetProperty("models").EnumerateArray()
            .Single(m => m.GetProperty("name").GetString() == "broken");
        Assert.Equal("UNAVAILABLE", broken.GetProperty("state").GetString());
        Assert.Contains("broken/model.yaml", broken.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(repository.Root, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_v1_models_marks_an_unloaded_model_and_shows_a_detectors_defaults()
    {
        using var repository = new TempRepository().AddIris().AddDetector("face-front");
        await using var server = await RunningServer.StartAsync(repository.Root);
        (await server.PostJsonAsync("/v2/repository/models/iris/unload", "{}")).EnsureSuccessStatusCode();

        var models = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/models")).RootElement.GetProperty("models")
            .EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal("UNLOADED", models["iris"].GetProperty("state").GetString());
        var vision = models["face-front"].GetProperty("vision");
        Assert.Equal("face", vision.GetProperty("labels")[0].GetString());
        Assert.True(vision.GetProperty("defaults").GetProperty("maxResults").GetInt32() > 0);
    }

    [Fact]
    public async Task Get_v1_server_summarises_the_settings_without_the_database_password()
    {
        using var repository = new TempRepository().AddIris();
        var data = Path.Combine(Path.GetTempPath(), "modelhost-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await RunningServer.StartWithJobsAsync(repository.Root, data);

            var text = await server.Client.GetStringAsync("/v1/server");
            var info = JsonDocument.Parse(text).RootElement;
            Assert.Equal(ServerInfo.Version, info.GetProperty("version").GetString());
            Assert.Equal(Path.GetFullPath(repository.Root), info.GetProperty("repository").GetProperty("path").GetString());
            Assert.Equal("sqlite", info.GetProperty("jobs").GetProperty("store").GetString());
            Assert.True(info.GetProperty("uptime_seconds").GetDouble() >= 0);
            Assert.Equal(server.Address.Port, new Uri(info.GetProperty("listening")[0].GetString()!).Port);
            Assert.DoesNotContain("Data Source", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>A browser's page load: <c>GET /</c> answers the page only to a request that accepts HTML.</summary>
    private static HttpRequestMessage Navigation(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        return request;
    }
}
