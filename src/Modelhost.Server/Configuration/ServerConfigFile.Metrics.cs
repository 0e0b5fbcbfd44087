namespace Modelhost.Server.Configuration;

/// <summary>The <c>metrics</c> section of the server's settings.</summary>
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
}
