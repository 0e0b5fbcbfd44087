using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Server.Security;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Security;

/// <summary>Every route the server maps has an explicit role, and the README's table says which.</summary>
public sealed partial class RoutePolicyTests : IAsyncLifetime
{
    private readonly TempRepository _repository = new();
    private readonly string _data = Path.Combine(Path.GetTempPath(), "modelhost-tests", Guid.NewGuid().ToString("N"));
    private RunningServer? _server;

    public async Task InitializeAsync() => _server = await RunningServer.StartWithJobsAsync(_repository.AddIris().Root, _data);

    public async Task DisposeAsync()
    {
        await _server!.DisposeAsync();
        _repository.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public void Every_mapped_endpoint_has_an_explicit_role_policy_or_is_marked_open()
    {
        var routes = MappedRoutes();
        Assert.True(routes.Count > 30, $"only {routes.Count} routes were found");
        var unmarked = routes.Where(r => r.Value is null).Select(r => r.Key).ToList();
        Assert.True(unmarked.Count == 0, "routes without a role: " + string.Join(", ", unmarked));
    }

    [Fact]
    public void The_readme_route_table_matches_the_routes_and_roles_the_server_maps()
    {
        var mapped = MappedRoutes().ToDictionary(r => r.Key, r => r.Value!);
        var documented = ReadmeTable();
        var missing = mapped.Keys.Except(documented.Keys).Order().ToList();
        var extra = documented.Keys.Except(mapped.Keys).Order().ToList();
        Assert.True(missing.Count == 0, "routes missing from the README's Security table: " + string.Join(", ", missing));
        Assert.True(extra.Count == 0, "routes in the README's Security table that the server does not map: " + string.Join(", ", extra));
        var wrong = mapped.Where(r => documented[r.Key] != r.Value).Select(r => $"{r.Key}: README says {documented[r.Key]}, server {r.Value}").ToList();
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }

    /// <summary>"METHOD /pattern" → role name, "open", or null when the endpoint says nothing.</summary>
    private Dictionary<string, string?> MappedRoutes()
    {
        var source = _server!.Services.GetRequiredService<EndpointDataSource>();
        var routes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
            var declared = endpoint.Metadata.GetMetadata<RouteRole>();
            string? role = declared is null ? null : declared.Required is { } required ? Roles.Name(required) : "open";
            foreach (var method in methods)
            {
                routes[method + " " + endpoint.RoutePattern.RawText] = role;
            }
        }

        return routes;
    }

    private static Dictionary<string, string> ReadmeTable()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Modelhost.slnx")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var text = File.ReadAllText(Path.Combine(dir.FullName, "README.md"));
        var start = text.IndexOf("### Routes and roles", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '### Routes and roles' section");
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match row in RowPattern().Matches(text[start..]))
        {
            var role = row.Groups["role"].Value;
            foreach (var method in row.Groups["methods"].Value.Split('/', StringSplitOptions.TrimEntries))
            {
                table[method + " " + row.Groups["route"].Value] = role;
            }
        }

        Assert.NotEmpty(table);
        return table;
    }

    [GeneratedRegex(@"^\| (?<methods>[A-Z/ ]+) \| `(?<route>[^`]+)` \| (?<role>open|infer|train|manage|admin) \|", RegexOptions.Multiline)]
    private static partial Regex RowPattern();
}
