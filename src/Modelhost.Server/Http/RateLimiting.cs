using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Modelhost.Server.Configuration;

namespace Modelhost.Server.Http;

/// <summary>
/// The request rate per client: a token bucket per API key name (once authentication has named the caller),
/// otherwise per remote address. Health probes (HTTP and gRPC) are never limited. Over it: 429, <c>Retry-After</c> and a
/// JSON error; a gRPC call gets RESOURCE_EXHAUSTED with the same message and the wait as <c>grpc-retry-pushback-ms</c>.
/// </summary>
internal static class RateLimiting
{
    /// <summary>The shortest replenishment period: the partitioned limiter refills its buckets every 100 ms.</summary>
    private static readonly TimeSpan MinPeriod = TimeSpan.FromMilliseconds(100);

    public static void Configure(RateLimiterOptions options, LimitsOptions limits)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        if (limits.RatePerSecond <= 0)
        {
            return;
        }

        var bucket = BucketOptions(limits.RatePerSecond, limits.EffectiveRateBurst);
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            IsHealthProbe(context.Request.Path)
                ? RateLimitPartition.GetNoLimiter(string.Empty)
                : RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ => bucket));
        options.OnRejected = (rejected, _) =>
        {
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : TimeSpan.FromSeconds(1);
            var message = string.Create(
                CultureInfo.InvariantCulture,
                $"too many requests: the limit is {limits.RatePerSecond} per second with bursts of {limits.EffectiveRateBurst} per client (limits.rate_per_second, limits.rate_burst)");
            return new ValueTask(Grpc.GrpcRefusal.IsGrpc(rejected.HttpContext)
                ? Grpc.GrpcRefusal.WriteAsync(rejected.HttpContext, global::Grpc.Core.StatusCode.ResourceExhausted, message, retryAfter)
                : ErrorResponses.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, message, retryAfter));
        };
    }

    /// <summary>The caller's bucket: the key's name, else (anonymous callers, refused keys) the remote address.</summary>
    public static string PartitionKey(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } name } && !Security.CallerIdentity.IsAnonymous(context.User)
            ? "key:" + name
            : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    /// <summary>
    /// A bucket of <paramref name="burst"/> tokens refilled at <paramref name="ratePerSecond"/>: one token per
    /// period for slow rates, several per 100 ms for fast ones.
    /// </summary>
    public static TokenBucketRateLimiterOptions BucketOptions(double ratePerSecond, int burst)
    {
        var period = TimeSpan.FromSeconds(1 / ratePerSecond);
        if (period < MinPeriod)
        {
            period = MinPeriod;
        }

        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = (int)Math.Max(1, Math.Round(ratePerSecond * period.TotalSeconds)),
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static bool IsHealthProbe(PathString path) =>
        path.Equals("/v2/health/live", StringComparison.OrdinalIgnoreCase) || path.Equals("/v2/health/ready", StringComparison.OrdinalIgnoreCase)
        || Grpc.GrpcRefusal.IsHealthProbe(path);
}
