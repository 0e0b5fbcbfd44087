using Modelhost.Core.Models;
using Modelhost.Server.Jobs;
using Modelhost.Server.Security;

namespace Modelhost.Server;

/// <summary>Settings of one Modelhost server; the command line and the config file fill them in.</summary>
public sealed class ServerOptions
{
    /// <summary>The URLs Kestrel listens on, separated by ';'.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The model repository and how its models load.</summary>
    public ModelRepositoryOptions Repository { get; } = new();

    /// <summary>The largest request body accepted; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long shutdown waits for requests in flight.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The job system: data directory, database, workers and leases.</summary>
    public JobsOptions Jobs { get; } = new();

    /// <summary>The per-country forecasting pipeline: the observations and predictions tables.</summary>
    public ForecastingOptions Forecasting { get; } = new();

    /// <summary>API keys, anonymous access, allowed Host names and CORS origins.</summary>
    public SecurityOptions Security { get; } = new();
}
