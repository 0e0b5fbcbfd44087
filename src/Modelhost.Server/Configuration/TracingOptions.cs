namespace Modelhost.Server.Configuration;

/// <summary>OpenTelemetry tracing (<c>tracing: {otlp_endpoint}</c> in the config file).</summary>
public sealed class TracingOptions
{
    /// <summary>The config file's section name.</summary>
    public const string Section = "tracing";

    /// <summary>
    /// The OTLP endpoint spans are exported to (gRPC, e.g. <c>http://127.0.0.1:4317</c>); null turns tracing off, and
    /// then no span is created or allocated.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>More of the tracer's setup, for tests (an in-memory exporter); turns tracing on like an endpoint does.</summary>
    internal Action<OpenTelemetry.Trace.TracerProviderBuilder>? Configure { get; set; }
}
