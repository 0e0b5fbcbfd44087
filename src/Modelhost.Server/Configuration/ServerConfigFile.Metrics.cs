namespace Modelhost.Server.Configuration;

/// <summary>The <c>metrics</c> and <c>tracing</c> sections and <c>log_format</c> of the server's settings.</summary>
public static partial class ServerConfigFile
{
    private static readonly string[] MetricsKeys = ["enabled", "urls"];
    private static readonly string[] TracingKeys = ["otlp_endpoint"];

    private static void ReadTracing(ConfigNode node, TracingOptions tracing)
    {
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "otlp_endpoint":
                    var text = String(value);
                    if (text.Length == 0)
                    {
                        tracing.OtlpEndpoint = null;
                    }
                    else if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                    {
                        tracing.OtlpEndpoint = uri;
                    }
                    else
                    {
                        throw value.Error($"expected an http:// or https:// URL, got '{text}'");
                    }

                    break;
                default:
                    throw Unknown(value, TracingKeys);
            }
        }
    }

    private static void ReadMetrics(ConfigNode node, MetricsOptions metrics)
    {
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "enabled":
                    metrics.Enabled = Bool(value);
                    break;
                case "urls":
                    var urls = String(value);
                    metrics.Urls = urls.Length == 0 ? null : urls;
                    CheckUrls(value, urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                default:
                    throw Unknown(value, MetricsKeys);
            }
        }
    }

    private static Logging.LogFormat ReadLogFormat(ConfigNode node) => String(node) switch
    {
        "console" => Logging.LogFormat.Console,
        "json" => Logging.LogFormat.Json,
        var other => throw node.Error($"expected 'console' or 'json', got '{other}'"),
    };
}
