using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modelhost.Core.Models;
using Modelhost.Server.Configuration;
using Modelhost.Server.Dashboard;
using Modelhost.Server.Endpoints;
using Modelhost.Server.Grpc;
using Modelhost.Server.Hosting;
using Modelhost.Server.Http;
using Microsoft.Extensions.Logging.Console;
using Modelhost.Server.Logging;
using Modelhost.Server.Metrics;
using Modelhost.Server.OpenApi;
using Modelhost.Core.Telemetry;
using Modelhost.Jobs.Workers;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;
using Modelhost.Server.Security;
using Modelhost.Workflows;

namespace Modelhost.Server;

/// <summary>Builds the Modelhost web application: Kestrel, the model repository and every protocol's routes.</summary>
public static class ModelhostServer
{
    /// <summary>
    /// Checks what <see cref="Build"/>'s host would otherwise find only when it starts (an https URL without TLS, a
    /// certificate, key or JWT signing key that cannot be used) and raises the process's open-file limit to fit
    /// <see cref="LimitsOptions.MaxConnections"/>.
    /// </summary>
    /// <param name="options">The server's settings.</param>
    /// <returns>A line for the startup log on the connection and open-file limits.</returns>
    /// <exception cref="ServerConfigException">A setting that cannot be used, naming its key.</exception>
    public static string Prepare(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        KestrelSetup.LoadCertificate(options)?.Dispose();
        if (options.Security.Jwt is { } jwt)
        {
            _ = JwtSetup.LoadSigningKeys(jwt);
        }

        // Every connection is a file descriptor: max_connections must stay below the open-file limit.
        return OpenFileLimit.Ensure(options.Limits.MaxConnections).Describe(options.Limits.MaxConnections);
    }

    /// <summary>Creates the application; call <c>RunAsync</c> or <c>StartAsync</c> on it.</summary>
    /// <param name="options">The server's settings.</param>
    /// <param name="configureLogging">Adjusts logging, e.g. its minimum level; the console is on by default.</param>
    public static WebApplication Build(ServerOptions options, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        if (!options.Grpc.Enabled)
        {
            // With gRPC on, GrpcListeners names every endpoint instead (KestrelSetup).
            builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        });
        var grpcListeners = new GrpcListeners();
        builder.Services.AddSingleton(grpcListeners);
        KestrelSetup.Configure(builder.WebHost, options, options.Grpc.Enabled ? grpcListeners : null);
        builder.Logging.ClearProviders();
        if (options.LogFormat == LogFormat.Json)
        {
            builder.Logging.AddConsole(console => console.FormatterName = JsonLineFormatter.FormatterName);
            builder.Logging.AddConsoleFormatter<JsonLineFormatter, ConsoleFormatterOptions>();
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }

        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Hosting's per-request diagnostics open a logging scope and an Activity on every request when any
        // level is enabled for them; our own request log replaces them.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // Grpc.AspNetCore logs each call a client got wrong at Information, a message it could not parse with its stack
        // trace: the client has the status and the message, and the audit has the call, as for HTTP's 4xx.
        builder.Logging.AddFilter("Grpc.AspNetCore.Server", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);

        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new ModelRepositoryManager(
            options.Repository,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<IMeterFactory>()));
        builder.Services.AddHostedService<RepositoryPoller>();
        builder.Services.AddSingleton(sp => new JobsHost(
            options.Jobs,
            options.Forecasting,
            sp.GetRequiredService<ModelRepositoryManager>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<IMeterFactory>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobsHost>());
        if (options.Metrics.Enabled)
        {
            builder.Services.AddSingleton(sp => new PrometheusExporter(sp.GetRequiredService<IMeterFactory>()));
            if (options.Metrics.Urls is { } metricsUrls)
            {
                builder.Services.AddSingleton(sp => new MetricsServer(metricsUrls, sp.GetRequiredService<PrometheusExporter>(), sp.GetRequiredService<ILoggerFactory>()));
                builder.Services.AddHostedService(sp => sp.GetRequiredService<MetricsServer>());
            }
        }

        if (options.Tracing.OtlpEndpoint is not null || options.Tracing.Configure is not null)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing =>
            {
                tracing.AddSource(CoreTracing.SourceName, JobTracing.SourceName).AddAspNetCoreInstrumentation();
                if (options.Tracing.OtlpEndpoint is { } endpoint)
                {
                    tracing.AddOtlpExporter(otlp => otlp.Endpoint = endpoint);
                }

                options.Tracing.Configure?.Invoke(tracing);
            });
        }

        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer<ApiDocumentTransformer>());
        SecuritySetup.AddSecurity(builder.Services, options);
        LimitsSetup.AddServices(builder.Services, options);
        if (options.Grpc.Enabled)
        {
            GrpcSetup.AddServices(builder.Services, options);
        }

        var app = builder.Build();

        // Listening starts before any hosted service runs, so the first repository scan and model loads are counted.
        var exporter = app.Services.GetService<PrometheusExporter>();
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseRouting();
        if (options.Grpc.Enabled)
        {
            GrpcSetup.UseMiddleware(app);
        }

        SecuritySetup.UseSecurity(app, options);
        LimitsSetup.UseMiddleware(app, options);

        var manager = app.Services.GetRequiredService<ModelRepositoryManager>();
        KServeEndpoints.Map(app, manager, options);
        TfServingEndpoints.Map(app, manager, options);
        RepositoryEndpoints.Map(app, manager, options);
        TritonUnsupportedEndpoints.Map(app);
        StatisticsEndpoints.Map(app, manager);
        VisionEndpoints.Map(app, manager, options);
        PredictEndpoint.Map(app, manager, options);
        JobsEndpoints.Map(app, app.Services.GetRequiredService<JobsHost>(), manager, app.Lifetime);
        ForecastEndpoints.Map(app, app.Services.GetRequiredService<JobsHost>());
        if (exporter is not null)
        {
            MetricsEndpoint.Map(app, exporter);
            ModelLatencyEndpoint.Map(app, manager, exporter);
        }

        // The API description and its reference page describe routes, not data: open, like the health probes.
        app.MapOpenApi("/openapi/{documentName}.json").Open();
        app.MapScalarApiReference("/docs", scalar => scalar.WithTitle("Modelhost API")).Open();

        if (options.Grpc.Enabled)
        {
            GrpcSetup.Map(app);
        }

        ModelListEndpoint.Map(app, manager, options);
        ServerEndpoint.Map(app, options, app.Services.GetRequiredService<TimeProvider>());
        app.MapDashboard(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        return app;
    }
}
