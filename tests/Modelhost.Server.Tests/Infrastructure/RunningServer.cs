using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Modelhost.Server.Tests.Infrastructure;

/// <summary>The real server on Kestrel, on a free loopback port, over a repository on disk.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningServer(WebApplication app, Uri address, Uri? grpcAddress)
    {
        _app = app;
        Address = address;
        GrpcAddress = grpcAddress;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    /// <summary>The gRPC endpoint's address (its own port); null when a test turned gRPC off.</summary>
    public Uri? GrpcAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningServer> StartAsync(string repositoryRoot, Action<ServerOptions>? configure = null, ILoggerProvider? logs = null)
    {
        var options = new ServerOptions { Urls = "http://127.0.0.1:0" };
        options.Grpc.Urls = "http://127.0.0.1:0";
        options.Repository.Root = repositoryRoot;
        options.Repository.IntraOpThreads = 1;

        // Jobs need a data directory of their own; tests that use them turn them on (see StartWithJobsAsync).
        options.Jobs.Enabled = false;
        configure?.Invoke(options);
        var app = ModelhostServer.Build(options, logging =>
        {
            if (logs is null)
            {
                logging.SetMinimumLevel(LogLevel.Warning);
            }
            else
            {
                logging.AddProvider(logs);
            }
        });
        await app.StartAsync();
        var server = app.Services.GetRequiredService<IServer>();
        var grpc = app.Services.GetRequiredService<Modelhost.Server.Grpc.GrpcListeners>().Addresses();
        var address = server.Features.Get<IServerAddressesFeature>()!.Addresses.First(a => !grpc.Contains(a));
        return new RunningServer(app, new Uri(address), options.Grpc.Enabled && grpc.Count > 0 ? new Uri(grpc[0]) : null);
    }

    /// <summary>Starts a server with jobs on: a data directory, and PostgreSQL when <paramref name="database"/> is set.</summary>
    public static Task<RunningServer> StartWithJobsAsync(string repositoryRoot, string dataDirectory, string? database = null, Action<ServerOptions>? configure = null) =>
        StartAsync(repositoryRoot, options =>
        {
            options.Jobs.Enabled = true;
            options.Jobs.DataDirectory = dataDirectory;
            options.Jobs.Database = database;
            options.Jobs.PollInterval = TimeSpan.FromMilliseconds(200);
            options.Jobs.HeartbeatInterval = TimeSpan.FromSeconds(1);
            options.Jobs.LeaseDuration = TimeSpan.FromSeconds(10);
            options.ShutdownTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(options);
        });

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Posts <paramref name="body"/> as <c>application/json</c> byte for byte, whether it is UTF-8 or not.</summary>
    public Task<HttpResponseMessage> PostJsonBytesAsync(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Client.PostAsync(path, content);
    }

    /// <summary>
    /// <paramref name="text"/> as single bytes (Latin-1): a character from U+0080 to U+00FF becomes one raw byte, which is
    /// never UTF-8 where it stands unless a valid sequence happens to follow.
    /// </summary>
    public static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    public async Task<JsonElement> PostJsonOkAsync(string path, string json)
    {
        using var response = await PostJsonAsync(path, json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        var error = doc.RootElement.GetProperty("error").GetString()!;
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        return error;
    }

    public static StringContent Json(string json, string mediaType = "application/json")
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
