using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modelhost.Core.Models;

namespace Modelhost.Server.Hosting;

/// <summary>
/// Loads the repository before the server takes requests, logs one summary of what is served, then polls
/// for changes every <see cref="ModelRepositoryOptions.PollInterval"/> when one is set.
/// </summary>
internal sealed partial class RepositoryPoller : BackgroundService
{
    private readonly ModelRepositoryManager _manager;
    private readonly ModelRepositoryOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public RepositoryPoller(ModelRepositoryManager manager, ServerOptions options, TimeProvider timeProvider, ILogger<RepositoryPoller> logger)
    {
        _manager = manager;
        _options = options.Repository;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _manager.SyncAsync(cancellationToken);
        LogSummary(_logger, Summary(_manager.Index()));
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.PollInterval is not { } interval || interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await _manager.SyncAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // One failed poll must not end polling (or the host): what is loaded keeps serving, and the next tick retries.
                    LogPollFailed(_logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal static string Summary(IReadOnlyList<ModelStatus> index)
    {
        if (index.Count == 0)
        {
            return "no models";
        }

        var sb = new StringBuilder();
        foreach (var model in index)
        {
            if (sb.Length > 0)
            {
                sb.Append("; ");
            }

            sb.Append(model.Name).Append(": ");
            if (model.ConfigError is not null)
            {
                sb.Append("config error");
                continue;
            }

            if (model.Versions.Count == 0)
            {
                sb.Append(model.IsUnloaded ? "unloaded" : model.ReadError is null ? "no versions" : "unreadable");
                continue;
            }

            for (var i = 0; i < model.Versions.Count; i++)
            {
                var v = model.Versions[i];
                sb.Append(i == 0 ? string.Empty : ", ")
                    .Append('v').Append(v.Version.ToString(CultureInfo.InvariantCulture)).Append(' ')
                    .Append(v.State.ToString().ToUpperInvariant());
            }
        }

        return sb.ToString();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Models: {Summary}")]
    private static partial void LogSummary(ILogger logger, string summary);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Polling the model repository failed: {Reason}")]
    private static partial void LogPollFailed(ILogger logger, string reason);
}
