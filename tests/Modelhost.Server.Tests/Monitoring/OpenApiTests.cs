using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Server.Security;
using Modelhost.Server.Tests.Infrastructure;
using Modelhost.Server.Tests.Security;

namespace Modelhost.Server.Tests.Monitoring;

public sealed class OpenApiTests
{
    private static async Task<JsonElement> DocumentAsync(RunningServer server)
    {
        using var response = await server.Client.GetAsync("/openapi/v1.json");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Every_mapped_route_is_in_the_OpenAPI_document_with_an_example_response()
    {
        using var repository = MetricsTests.ScaleRepository();
        await using var server = await RunningServer.StartAsync(repository.Root);
        var document = await DocumentAsync(server);
        Assert.StartsWith("3.1", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");

        var checkedRoutes = 0;
        foreach (var endpoint in server.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || endpoint.Metadata.GetMetadata<RouteRole>() is null
                || endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true })
            {
                continue;
            }

            var pattern = endpoint.RoutePattern.RawText!;
            if (pattern.StartsWith("/openapi", StringComparison.Ordinal) || pattern.StartsWith("/docs", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.True(paths.TryGetProperty(pattern, out var item), $"{pattern} is missing from /openapi/v1.json");
            foreach (var method in methods.HttpMethods)
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{method} {pattern} is missing from /openapi/v1.json");
                Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()));
                Assert.NotEqual($"{method} {pattern}", operation.GetProperty("summary").GetString());
                // A bodiless answer (health, ready, load) says so; every other route has a schema and an example.
                var ok = operation.GetProperty("responses").GetProperty("200");
                if (ok.TryGetProperty("content", out var content))
                {
                    var json = content.GetProperty("application/json");
                    Assert.True(json.TryGetProperty("example", out _), $"{method} {pattern} has no example response");
                    Assert.True(json.TryGetProperty("schema", out _), $"{method} {pattern} has no response schema");
                }
                else
                {
                    Assert.Contains("without a body", ok.GetProperty("description").GetString(), StringComparison.Ordinal);
                }

                checkedRoutes++;
            }
        }

        Assert.True(checkedRoutes >= 38, $"only {checkedRoutes} routes were checked");

        // The seed's request is the /predict example, and it is what the route answers.
        var predict = paths.GetProperty("/predict").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.Equal(5.9, predict.GetProperty("example").GetProperty("sepal_length").GetDouble());
        Assert.Equal("number", predict.GetProperty("schema").GetProperty("properties").GetProperty("sepal_length").GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_OpenAPI_document_validates_against_the_OpenAPI_3_1_schema()
    {
        using var repository = MetricsTests.ScaleRepository();
        await using var server = await RunningServer.StartAsync(repository.Root);
        var document = await DocumentAsync(server);
        var file = Path.Combine(Path.GetTempPath(), $"modelhost-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document.GetRawText());
        try
        {
            var validator = Path.Combine(DashboardTests.RepositoryRoot(), "eng", "openapi", "node_modules", ".bin", "validate-api");
            Assert.True(File.Exists(validator), $"{validator} is missing: run 'npm install --prefix eng/openapi' (.ci/run does)");
            using var process = Process.Start(new ProcessStartInfo(validator, [file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, output);
            Assert.Contains("\"valid\": true", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_docs_page_is_served_from_the_package_without_a_key()
    {
        var keys = new TestKeys();
        using var repository = MetricsTests.ScaleRepository();
        await using var server = await RunningServer.StartAsync(repository.Root, keys.Apply);

        using var page = await server.Client.GetAsync("/docs");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("cdn.jsdelivr.net", html, StringComparison.Ordinal);
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"([^\"]*scalar[^\"]*\\.js)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(script), html);
        using var asset = await server.Client.GetAsync(new Uri(new Uri(server.Address, "/docs/"), new Uri(script, UriKind.RelativeOrAbsolute)));
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);

        using var openapi = await server.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openapi.StatusCode);
    }
}
