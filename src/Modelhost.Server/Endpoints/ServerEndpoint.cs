using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Jobs;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// <c>GET /v1/server</c>: the server's version, start time and uptime, and a summary of its settings with no secrets
/// (the repository and its polling, the job store's kind and workers, whether keys are required): what an operator
/// checks first.
/// </summary>
internal static class ServerEndpoint
{
    public static void Map(IEndpointRouteBuilder routes, ServerOptions options, TimeProvider time)
    {
        var started = time.GetUtcNow();
        var store = StoreKind(options);
        routes.MapGet("/v1/server", context =>
        {
            // The addresses Kestrel bound, with the ports it chose for port 0.
            var listening = context.RequestServices.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            return KServeEndpoints.WriteJsonAsync(context, w => Write(w, options, store, listening, started, time.GetUtcNow()));
        }).Requires(Role.Manage);
    }

    private static void Write(Utf8JsonWriter w, ServerOptions options, string store, ICollection<string> listening, DateTimeOffset started, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteString("name"u8, "modelhost");
        w.WriteString("version"u8, ServerInfo.Version);
        w.WriteString("started_at"u8, started);
        w.WriteNumber("uptime_seconds"u8, Math.Floor((now - started).TotalSeconds));
        w.WriteString("urls"u8, options.Urls);
        w.WriteStartArray("listening"u8);
        foreach (var address in listening)
        {
            w.WriteStringValue(address);
        }

        w.WriteEndArray();
        w.WriteBoolean("tls"u8, options.Tls is not null);
        w.WriteStartObject("repository"u8);
        w.WriteString("path"u8, Path.GetFullPath(options.Repository.Root));
        if (options.Repository.PollInterval is { } poll)
        {
            w.WriteNumber("poll_seconds"u8, poll.TotalSeconds);
        }
        else
        {
            w.WriteNull("poll_seconds"u8);
        }

        w.WriteEndObject();
        var jobs = options.Jobs;
        w.WriteStartObject("jobs"u8);
        w.WriteBoolean("enabled"u8, jobs.Enabled);
        w.WriteString("store"u8, store);
        w.WriteString("data_dir"u8, Path.GetFullPath(jobs.DataDirectory));
        w.WriteStartObject("workers"u8);
        w.WriteNumber("training"u8, jobs.TrainingWorkers);
        w.WriteNumber("prediction"u8, jobs.PredictionWorkers);
        w.WriteEndObject();
        w.WriteNumber("lease_seconds"u8, jobs.LeaseDuration.TotalSeconds);
        w.WriteNumber("forecast_horizon"u8, jobs.ForecastHorizon);
        w.WriteBoolean("allow_sql_from_api"u8, jobs.AllowSqlFromApi);
        w.WriteEndObject();
        var security = options.Security;
        w.WriteStartObject("auth"u8);
        w.WriteNumber("keys"u8, security.Keys.Count);
        w.WriteBoolean("jwt"u8, security.Jwt is not null);
        w.WriteBoolean("allow_anonymous"u8, security.AllowAnonymous);
        w.WriteEndObject();
        w.WriteStartObject("limits"u8);
        w.WriteNumber("max_connections"u8, options.Limits.MaxConnections);
        w.WriteNumber("rate_per_second"u8, options.Limits.RatePerSecond);
        w.WriteNumber("request_timeout_seconds"u8, options.Limits.RequestTimeout.TotalSeconds);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>"sqlite" or "postgresql" (never the connection string, which may hold a password).</summary>
    private static string StoreKind(ServerOptions options)
    {
        try
        {
            return DatabaseLocator.Locate(options.Jobs.DataDirectory, options.Jobs.Database).Provider == JobDatabaseProvider.Postgres ? "postgresql" : "sqlite";
        }
        catch (ArgumentException)
        {
            return "unknown";
        }
    }
}
