using Modelhost.Core.Models;
using Modelhost.Server.Configuration;
using Modelhost.Server.Security;
using Modelhost.Workflows;

namespace Modelhost.Server;

/// <summary>Settings of one Modelhost server; the command line and the config file fill them in.</summary>
public sealed class ServerOptions
{
    /// <summary>The URLs Kestrel listens on, separated by ';'.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The model repository and how its models load.</summary>
    public ModelRepositoryOptions Repository { get; } = new();

    /// <summary>
    /// Kestrel's cap on request bodies for routes without a limit of their own in <see cref="Limits"/>, and the
    /// JSON inference limit when <see cref="LimitsOptions.JsonInferBytes"/> is not set; larger bodies get 413.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Body sizes per route kind, headers, connections, rate, timeouts.</summary>
    public LimitsOptions Limits { get; } = new();

    /// <summary>The gRPC endpoint (KServe V2 / Triton GRPCInferenceService): its URLs and message limits.</summary>
    public Grpc.GrpcOptions Grpc { get; } = new();

    /// <summary>HTTPS from PEM files; null serves plain HTTP only.</summary>
    public TlsOptions? Tls { get; set; }

    /// <summary>How long shutdown waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The job system: data directory, database, workers and leases.</summary>
    public JobsOptions Jobs { get; } = new();

    /// <summary>The per-country forecasting pipeline: the observations and predictions tables.</summary>
    public ForecastingOptions Forecasting { get; } = new();

    /// <summary>API keys, anonymous access, allowed Host names and CORS origins.</summary>
    public SecurityOptions Security { get; } = new();

    /// <summary>The Prometheus endpoint: on or off, and an open listener of its own.</summary>
    public MetricsOptions Metrics { get; } = new();

    /// <summary>OpenTelemetry tracing: off unless an OTLP endpoint is set.</summary>
    public TracingOptions Tracing { get; } = new();

    /// <summary>The console log's format: readable lines, or one JSON object per line (<c>--log-format json</c>).</summary>
    public Logging.LogFormat LogFormat { get; set; }

    /// <summary>Log every request (Debug level): <c>--verbose</c>.</summary>
    public bool Verbose { get; set; }

    /// <summary>The layers these options were read from (file, environment, command line); null when built in code.</summary>
    public ServerConfigSources? Sources { get; set; }
}
