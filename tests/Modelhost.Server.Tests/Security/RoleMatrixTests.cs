using System.Net;
using System.Text;
using Modelhost.Server.Security;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Security;

/// <summary>For each kind of route and each caller (no key, a key of each role), the status the server gives.</summary>
public sealed class RoleMatrixTests : IAsyncLifetime
{
    private readonly TempRepository _repository = new();
    private readonly string _data = Path.Combine(Path.GetTempPath(), "modelhost-tests", Guid.NewGuid().ToString("N"));
    private readonly TestKeys _keys = new();
    private RunningServer? _server;

    public async Task InitializeAsync() =>
        _server = await RunningServer.StartWithJobsAsync(_repository.AddIris().Root, _data, configure: _keys.Apply);

    public async Task DisposeAsync()
    {
        await _server!.DisposeAsync();
        _repository.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    public static TheoryData<string, string, string, string?> Routes => new()
    {
        // kind, method, path, body; the role each kind needs is in Needed below.
        { "health", "GET", "/v2/health/ready", null },
        { "health", "GET", "/v2/health/live", null },
        { "infer", "POST", "/predict", """{"sepal_length":5.9,"sepal_width":3.0,"petal_length":5.1,"petal_width":1.8}""" },
        { "infer", "POST", "/v2/models/iris/infer", """{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[5.9,3.0,5.1,1.8]}]}""" },
        { "infer", "GET", "/v2/models/iris", null },
        { "infer", "GET", "/v1/models/iris", null },
        { "infer", "GET", "/v2/models/stats", null },
        { "infer", "GET", "/v1/metrics/models", null },
        { "train", "GET", "/v1/jobs", null },
        { "train", "POST", "/v1/jobs/99/retry", "{}" },
        { "manage", "POST", "/v2/repository/index", "{}" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Each_route_kind_answers_401_without_a_key_403_below_its_role_and_serves_its_role_and_above(string kind, string method, string path, string? body)
    {
        var needed = kind switch
        {
            "health" => (Role?)null,
            "infer" => Role.Infer,
            "train" => Role.Train,
            _ => Role.Manage,
        };

        using (var anonymous = await SendAsync(method, path, body, key: null))
        {
            Assert.Equal(needed is null ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        foreach (var role in Roles.All)
        {
            using var response = await SendAsync(method, path, body, _keys.Clear[role]);
            var text = await response.Content.ReadAsStringAsync();
            if (needed is { } need && role < need)
            {
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                text = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
                Assert.Contains($"needs the {Roles.Name(need)} role", text, StringComparison.Ordinal);
                Assert.Contains($"'key-{Roles.Name(role)}'", text, StringComparison.Ordinal);
                Assert.DoesNotContain(_keys.Clear[role], text, StringComparison.Ordinal);
            }
            else
            {
                // Past authorization the route does its own work: a retry of a job that does not exist is its 404.
                var expected = path.Contains("/99/", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.OK;
                Assert.True(expected == response.StatusCode, $"{Roles.Name(role)} on {method} {path}: {(int)response.StatusCode} {text}");
            }
        }
    }

    [Fact]
    public async Task A_missing_key_gets_401_with_www_authenticate_and_a_json_error_saying_how_to_send_one()
    {
        using var response = await SendAsync("GET", "/v2/models/iris", null, key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("X-Api-Token", await RunningServer.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_or_malformed_key_gets_401_invalid_token_without_echoing_the_key()
    {
        var (forged, _, _) = ApiKeySecrets.Create();
        foreach (var key in new[] { forged, "not-a-key", _keys.Clear[Role.Admin] + "x", _keys.Clear[Role.Admin][..^1] })
        {
            using var response = await SendAsync("GET", "/v2/models/iris", null, key);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            var error = await RunningServer.ErrorOf(response);
            Assert.Equal("the API key is unknown or revoked", error);
        }
    }

    [Fact]
    public async Task A_jwt_sent_to_a_server_that_takes_only_keys_gets_401_saying_so()
    {
        // It was told its token was not from "the configured issuer", on a server that configures none.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/models/iris");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln");
        using var response = await _server!.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(
            "the bearer token is a JWT, but this server takes no tokens from an identity provider (auth.jwt is not set); send an API key",
            await RunningServer.ErrorOf(response));
    }

    [Fact]
    public async Task The_bearer_header_works_like_x_api_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/models/iris");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _keys.Clear[Role.Infer]);
        using var response = await _server!.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? body, string? key)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Add("X-Api-Token", key);
        }

        return await _server!.Client.SendAsync(request);
    }
}
