using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Modelhost.Server.Metrics;

/// <summary>
/// The listener of <c>metrics.urls</c>: a Kestrel of its own that serves only <c>GET /metrics</c>, open to every
/// caller, so Prometheus scrapes it without a key (as Triton's port 8002). Its own connections and requests are not
/// in the exposition, which describes the main server.
/// </summary>
internal sealed class MetricsServer : IHostedService, IAsyncDisposable
{
    private readonly string _urls;
    private readonly PrometheusExporter _exporter;
    private readonly ILoggerFactory _loggerFactory;
    private WebApplication? _app;

    public MetricsServer(string urls, PrometheusExporter exporter, ILoggerFactory loggerFactory)
    {
        _urls = urls;
        _exporter = exporter;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The addresses it listens on, once started (port 0 resolved).</summary>
    public ICollection<string> Addresses =>
        _app?.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseUrls(_urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggerFactory);
        var app = builder.Build();
        app.MapGet("/metrics", context => MetricsEndpoint.WriteAsync(context, _exporter));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
