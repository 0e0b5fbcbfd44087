namespace Modelhost.Server.Configuration;

/// <summary>The <c>tls</c> and <c>limits</c> sections of the server's settings.</summary>
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

    private static void ReadTls(ConfigNode node, ServerOptions options)
    {
        string? cert = null;
        string? key = null;
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "cert":
                    cert = String(value);
                    break;
                case "key":
                    key = String(value);
                    break;
                default:
                    throw Unknown(value, TlsKeys);
            }
        }

        if (cert is null || key is null)
        {
            var missing = cert is null ? "tls.cert" : "tls.key";
            throw node.Fail($"{missing} is missing: tls needs both cert and key (PEM files)");
        }

        options.Tls = new TlsOptions { CertificatePath = cert, KeyPath = key };
    }

    private static void ReadLimits(ConfigNode node, LimitsOptions limits)
    {
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "json_infer_bytes":
                    limits.JsonInferBytes = BodyBytes(value);
                    break;
                case "binary_infer_bytes":
                    limits.BinaryInferBytes = BodyBytes(value);
                    break;
                case "image_bytes":
                    limits.ImageBytes = BodyBytes(value);
                    break;
                case "job_bytes":
                    limits.JobBytes = BodyBytes(value);
                    break;
                case "max_request_header_bytes":
                    limits.MaxRequestHeaderBytes = (int)Number(value, 1024, 16 * 1024 * 1024);
                    break;
                case "max_connections":
                    limits.MaxConnections = (int)Number(value, 1, 1_000_000);
                    break;
                case "rate_per_second":
                    limits.RatePerSecond = Number(value, 0, 1_000_000);
                    break;
                case "rate_burst":
                    limits.RateBurst = (int)Number(value, 1, 1_000_000);
                    break;
                case "request_timeout_seconds":
                    limits.RequestTimeout = TimeSpan.FromSeconds(Number(value, 0, 86_400));
                    break;
                case "min_request_body_rate_bytes_per_second":
                    limits.MinRequestBodyRateBytesPerSecond = Number(value, 0, 1_000_000_000);
                    break;
                case "min_request_body_rate_grace_seconds":
                    var grace = Number(value, 1, 3600);
                    limits.MinRequestBodyRateGrace = grace > 1
                        ? TimeSpan.FromSeconds(grace)
                        : throw value.Error("must be more than 1 second (Kestrel checks rates once a second)");
                    break;
                case "max_concurrent_decodes":
                    limits.MaxConcurrentDecodes = (int)Number(value, 1, 4096);
                    break;
                case "image_memory_bytes":
                    limits.ImageMemoryBytes = (long)Number(value, 1024 * 1024, 1L << 40);
                    break;
                case "image_wait_seconds":
                    limits.ImageWait = TimeSpan.FromSeconds(Number(value, 0, 600));
                    break;
                default:
                    throw Unknown(value, LimitsKeys);
            }
        }

        if (limits.RateBurst is not null && limits.RatePerSecond == 0)
        {
            throw node.Fail("limits.rate_burst needs limits.rate_per_second above 0 (0 turns the rate limiter off)");
        }
    }

    private static long BodyBytes(ConfigNode node) => (long)Number(node, 1024, MaxBodyLimit);
}
