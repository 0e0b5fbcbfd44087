namespace Modelhost.Server.Configuration;

/// <summary>The <c>metrics</c> section and <c>log_format</c> of the server's settings.</summary>
public static partial class ServerConfigFile
{
    private static readonly string[] MetricsKeys = ["enabled", "urls"];

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
        var other => throw node.Fail($"expected 'console' or 'json', got '{other}'"),
    };
}
