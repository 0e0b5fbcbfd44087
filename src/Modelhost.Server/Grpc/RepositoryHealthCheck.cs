using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Modelhost.Core.Models;
using Modelhost.Server.Hosting;

namespace Modelhost.Server.Grpc;

/// <summary>
/// The gRPC health service's readiness, as <c>/v2/health/ready</c> and <c>ServerReady</c> answer it: every model that
/// should be served has a ready version, and the server has not begun to stop.
/// </summary>
internal sealed class RepositoryHealthCheck(ModelRepositoryManager manager, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(ServerStopping.Reason));
        }

        var readiness = manager.Readiness();
        return Task.FromResult(readiness.IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(Describe(readiness)));
    }

    /// <summary>
    /// What the health service logs with an unhealthy result: the repository's own problem, or each model that is not
    /// ready and why (the readiness reason alone is null when only models are at fault, which logged as '(null)').
    /// </summary>
    internal static string Describe(RepositoryReadiness readiness)
    {
        if (readiness.Reason is { } reason)
        {
            return reason;
        }

        var models = new List<string>(readiness.Models.Count);
        foreach (var model in readiness.Models)
        {
            models.Add($"{model.Name}: {model.Reason}");
        }

        return "models not ready: " + string.Join("; ", models);
    }
}
