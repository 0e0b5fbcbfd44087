using YamlDotNet.RepresentationModel;

namespace Modelhost.Server.Configuration;

/// <summary>The <c>tls</c> and <c>limits</c> sections of the server's settings file.</summary>
public static partial class ServerConfigFile
{
    /// <summary>The largest body limit: a body is buffered whole in one array.</summary>
    private const double MaxBodyLimit = 2_000_000_000;

    private static readonly string[] TlsKeys = ["cert", "key"];

    private static readonly string[] LimitsKeys =
    [
        "json_infer_bytes", "binary_infer_bytes", "image_bytes", "job_bytes", "max_request_header_bytes", "max_connections",
        "rate_per_second", "rate_burst", "request_timeout_seconds", "min_request_body_rate_bytes_per_second",
        "min_request_body_rate_grace_seconds", "max_concurrent_decodes", "image_memory_bytes", "image_wait_seconds",
    ];

    private static void ReadTls(YamlNode node, ServerOptions options, string path)
    {
        string? cert = null;
        string? key = null;
        foreach (var (keyNode, value, name) in Mapping(node, TlsOptions.Section, path))
        {
            var full = TlsOptions.Section + "." + name;
            switch (name)
            {
                case "cert":
                    cert = String(value, full, path);
                    break;
                case "key":
                    key = String(value, full, path);
                    break;
                default:
                    throw Unknown(keyNode, full, path, TlsKeys);
            }
        }

        if (cert is null || key is null)
        {
            var missing = cert is null ? "tls.cert" : "tls.key";
            throw new ServerConfigException($"{path}:{node.Start.Line}: {missing} is missing: tls needs both cert and key (PEM files)");
        }

        options.Tls = new TlsOptions { CertificatePath = cert, KeyPath = key };
    }

    private static void ReadLimits(YamlNode node, LimitsOptions limits, string path)
    {
        foreach (var (keyNode, value, name) in Mapping(node, LimitsOptions.Section, path))
        {
            var full = LimitsOptions.Section + "." + name;
            switch (name)
            {
                case "json_infer_bytes":
                    limits.JsonInferBytes = BodyBytes(value, full, path);
                    break;
                case "binary_infer_bytes":
                    limits.BinaryInferBytes = BodyBytes(value, full, path);
                    break;
                case "image_bytes":
                    limits.ImageBytes = BodyBytes(value, full, path);
                    break;
                case "job_bytes":
                    limits.JobBytes = BodyBytes(value, full, path);
                    break;
                case "max_request_header_bytes":
                    limits.MaxRequestHeaderBytes = (int)Number(value, full, path, 1024, 16 * 1024 * 1024);
                    break;
                case "max_connections":
                    limits.MaxConnections = (int)Number(value, full, path, 1, 1_000_000);
                    break;
                case "rate_per_second":
                    limits.RatePerSecond = Number(value, full, path, 0, 1_000_000);
                    break;
                case "rate_burst":
                    limits.RateBurst = (int)Number(value, full, path, 1, 1_000_000);
                    break;
                case "request_timeout_seconds":
                    limits.RequestTimeout = TimeSpan.FromSeconds(Number(value, full, path, 0, 86_400));
                    break;
                case "min_request_body_rate_bytes_per_second":
                    limits.MinRequestBodyRateBytesPerSecond = Number(value, full, path, 0, 1_000_000_000);
                    break;
                case "min_request_body_rate_grace_seconds":
                    var grace = Number(value, full, path, 1, 3600);
                    limits.MinRequestBodyRateGrace = grace > 1
                        ? TimeSpan.FromSeconds(grace)
                        : throw new ServerConfigException($"{path}:{value.Start.Line}: {full}: must be more than 1 second (Kestrel checks rates once a second)");
                    break;
                case "max_concurrent_decodes":
                    limits.MaxConcurrentDecodes = (int)Number(value, full, path, 1, 4096);
                    break;
                case "image_memory_bytes":
                    limits.ImageMemoryBytes = (long)Number(value, full, path, 1024 * 1024, 1L << 40);
                    break;
                case "image_wait_seconds":
                    limits.ImageWait = TimeSpan.FromSeconds(Number(value, full, path, 0, 600));
                    break;
                default:
                    throw Unknown(keyNode, full, path, LimitsKeys);
            }
        }

        if (limits.RateBurst is not null && limits.RatePerSecond == 0)
        {
            throw new ServerConfigException($"{path}:{node.Start.Line}: limits.rate_burst needs limits.rate_per_second above 0 (0 turns the rate limiter off)");
        }
    }

    private static long BodyBytes(YamlNode node, string key, string path) => (long)Number(node, key, path, 1024, MaxBodyLimit);
}
