namespace Modelhost.Server.Configuration;

/// <summary>
/// The server's limits (<c>limits:</c> in the config file): request body sizes per route kind, header size,
/// connections, request rate per client, the request timeout and the slowest request body accepted.
/// </summary>
public sealed class LimitsOptions
{
    /// <summary>The config file's section name.</summary>
    public const string Section = "limits";

    /// <summary>
    /// The largest JSON inference body (KServe V2 JSON infer, TF Serving predict, <c>/predict</c>);
    /// null takes <see cref="ServerOptions.MaxRequestBodyBytes"/> (64 MiB by default).
    /// </summary>
    public long? JsonInferBytes { get; set; }

    /// <summary>The largest KServe V2 infer body with the binary tensor extension.</summary>
    public long BinaryInferBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>The largest body on the image routes (<c>POST /</c>, <c>/v1/vision/{m}:detect</c>).</summary>
    public long ImageBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>
    /// The largest job submission (<c>/v1/jobs</c>, <c>/v1/models/{m}/train</c>, <c>/api/model</c>), and the largest body
    /// of a repository index or load request: both are small JSON control messages.
    /// </summary>
    public long JobBytes { get; set; } = 64 * 1024;

    /// <summary>The largest total size of a request's headers; larger ones get 431.</summary>
    public int MaxRequestHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>The most connections open at once (upgraded ones counted apart, with the same limit).</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>The most images decoded at once; null: one per processor.</summary>
    public int? MaxConcurrentDecodes { get; set; }

    /// <summary>The decoded pixels (4 bytes each) of all the images being processed at once.</summary>
    public long ImageMemoryBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>How long an image request waits for a decode slot or for memory before it gets 503.</summary>
    public TimeSpan ImageWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Requests per second per client (the API key's name, or the address); 0 turns the limiter off.</summary>
    public double RatePerSecond { get; set; }

    /// <summary>How many requests a client may make at once before the rate applies; null: one second's worth.</summary>
    public int? RateBurst { get; set; }

    /// <summary>How long a request may take before it is answered 504; <see cref="TimeSpan.Zero"/> turns it off.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The slowest request body accepted, in bytes per second after the grace period; 0 turns it off.</summary>
    public double MinRequestBodyRateBytesPerSecond { get; set; } = 240;

    /// <summary>How long a request body may be slower than <see cref="MinRequestBodyRateBytesPerSecond"/> at its start.</summary>
    public TimeSpan MinRequestBodyRateGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The burst in effect: <see cref="RateBurst"/>, or the rate rounded up.</summary>
    public int EffectiveRateBurst => RateBurst ?? (int)Math.Max(1, Math.Ceiling(RatePerSecond));
}
