using Microsoft.Extensions.Diagnostics.HealthChecks;
using Modelhost.Core.Models;

namespace Modelhost.Server.Grpc;

/// <summary>The gRPC health service's readiness: every model that should be served has a ready version (as <c>/v2/health/ready</c>).</summary>
internal sealed class RepositoryHealthCheck(ModelRepositoryManager manager) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var readiness = manager.Readiness();
        return Task.FromResult(readiness.IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(readiness.Reason));
    }
}
