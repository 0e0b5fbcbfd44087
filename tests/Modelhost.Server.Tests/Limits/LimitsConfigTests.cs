using Modelhost.Server.Configuration;

namespace Modelhost.Server.Tests.Limits;

public sealed class LimitsConfigTests
{
    [Fact]
    public void Every_limit_has_its_documented_default()
    {
        var options = ServerConfigFile.Parse("urls: http://127.0.0.1:8080\n", "test.yaml");
        var limits = options.Limits;
        Assert.Null(limits.JsonInferBytes);
        Assert.Equal(64L * 1024 * 1024, options.MaxRequestBodyBytes);
        Assert.Equal(256L * 1024 * 1024, limits.BinaryInferBytes);
        Assert.Equal(20L * 1024 * 1024, limits.ImageBytes);
        Assert.Equal(64 * 1024, limits.JobBytes);
        Assert.Equal(32 * 1024, limits.MaxRequestHeaderBytes);
        Assert.Equal(1000, limits.MaxConnections);
        Assert.Equal(0, limits.RatePerSecond);
        Assert.Equal(TimeSpan.FromSeconds(60), limits.RequestTimeout);
        Assert.Equal(240, limits.MinRequestBodyRateBytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.MinRequestBodyRateGrace);
        Assert.Null(limits.MaxConcurrentDecodes);
        Assert.Equal(512L * 1024 * 1024, limits.ImageMemoryBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.ImageWait);
        Assert.Null(options.Tls);
    }

    [Fact]
    public void The_config_file_sets_every_limit_and_tls()
    {
        var options = ServerConfigFile.Parse(
            """
            tls: {cert: server.pem, key: server-key.pem}
            limits:
              json_infer_bytes: 2048
              binary_infer_bytes: 4096
              image_bytes: 8192
              job_bytes: 1024
              max_request_header_bytes: 16384
              max_connections: 10
              rate_per_second: 2.5
              rate_burst: 7
              request_timeout_seconds: 30
              min_request_body_rate_bytes_per_second: 100
              min_request_body_rate_grace_seconds: 3
              max_concurrent_decodes: 3
              image_memory_bytes: 2097152
              image_wait_seconds: 0.5
            """,
            "test.yaml");
        var limits = options.Limits;
        Assert.Equal(2048, limits.JsonInferBytes);
        Assert.Equal(4096, limits.BinaryInferBytes);
        Assert.Equal(8192, limits.ImageBytes);
        Assert.Equal(1024, limits.JobBytes);
        Assert.Equal(16384, limits.MaxRequestHeaderBytes);
        Assert.Equal(10, limits.MaxConnections);
        Assert.Equal(2.5, limits.RatePerSecond);
        Assert.Equal(7, limits.EffectiveRateBurst);
        Assert.Equal(TimeSpan.FromSeconds(30), limits.RequestTimeout);
        Assert.Equal(100, limits.MinRequestBodyRateBytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(3), limits.MinRequestBodyRateGrace);
        Assert.Equal(3, limits.MaxConcurrentDecodes);
        Assert.Equal(2097152, limits.ImageMemoryBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), limits.ImageWait);
        Assert.Equal("server.pem", options.Tls?.CertificatePath);
        Assert.Equal("server-key.pem", options.Tls?.KeyPath);
    }

    [Theory]
    [InlineData("limits: {json_infer_bytes: 10}", "limits.json_infer_bytes")]
    [InlineData("limits: {binary_infer_bytes: -1}", "limits.binary_infer_bytes")]
    [InlineData("limits: {image_bytes: lots}", "limits.image_bytes")]
    [InlineData("limits: {job_bytes: 0}", "limits.job_bytes")]
    [InlineData("limits: {max_request_header_bytes: 10}", "limits.max_request_header_bytes")]
    [InlineData("limits: {max_connections: 0}", "limits.max_connections")]
    [InlineData("limits: {rate_per_second: -1}", "limits.rate_per_second")]
    [InlineData("limits: {rate_burst: 5}", "limits.rate_burst")]
    [InlineData("limits: {request_timeout_seconds: -1}", "limits.request_timeout_seconds")]
    [InlineData("limits: {min_request_body_rate_bytes_per_second: -5}", "limits.min_request_body_rate_bytes_per_second")]
    [InlineData("limits: {min_request_body_rate_grace_seconds: 1}", "limits.min_request_body_rate_grace_seconds")]
    [InlineData("limits: {max_body: 1}", "limits.max_body")]
    [InlineData("limits: 5", "limits")]
    [InlineData("tls: {cert: a.pem}", "tls.key")]
    [InlineData("tls: {key: a.pem}", "tls.cert")]
    [InlineData("tls: {cert: a.pem, key: b.pem, password: x}", "tls.password")]
    public void A_bad_value_names_its_key(string yaml, string key)
    {
        var error = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse(yaml, "test.yaml"));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("test.yaml:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.01, 100_000, 1)]
    [InlineData(2.5, 400, 1)]
    [InlineData(1000, 100, 100)]
    public void The_token_bucket_refills_at_the_configured_rate(double rate, int periodMs, int tokens)
    {
        var bucket = Modelhost.Server.Http.RateLimiting.BucketOptions(rate, burst: 5);
        Assert.Equal(TimeSpan.FromMilliseconds(periodMs), bucket.ReplenishmentPeriod);
        Assert.Equal(tokens, bucket.TokensPerPeriod);
        Assert.Equal(5, bucket.TokenLimit);
    }
}
