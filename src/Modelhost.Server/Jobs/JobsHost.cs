using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modelhost.Core.Models;
using Modelhost.Jobs;
using Modelhost.Jobs.Data;
using Modelhost.Jobs.Processes;
using Modelhost.Jobs.Workers;
using Modelhost.Server.Http;

namespace Modelhost.Server.Jobs;

/// <summary>
/// Opens the job store when the server starts (after the models have loaded) and runs the worker pool with the
/// <c>train</c>, <c>predict</c>, <c>train_forecast</c> and <c>forecast</c> handlers; at shutdown the pool stops, giving unfinished jobs back to their queues.
/// </summary>
internal sealed partial class JobsHost : IHostedService, IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly ModelRepositoryManager _manager;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private JobStore? _store;
    private JobWorkerPool? _pool;
    private ForecastTables? _tables;

    public JobsHost(ServerOptions options, ModelRepositoryManager manager, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _options = options;
        _manager = manager;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<JobsHost>();
    }

    /// <summary>The store, once open; a 503 for requests while jobs are off.</summary>
    public JobStore Store => _store ?? throw new HttpError(StatusCodes.Status503ServiceUnavailable, "jobs are not enabled on this server");

    public JobsOptions Options => _options.Jobs;

    /// <summary>The job store's health, null while jobs are off (or not open yet).</summary>
    public JobStoreHealth? Health => _store?.Health;

    /// <summary>The per-country pipeline's tables, once jobs are open.</summary>
    public ForecastTables Tables
    {
        get => _tables ?? throw new HttpError(StatusCodes.Status503ServiceUnavailable, "jobs are not enabled on this server");
        private set => _tables = value;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var jobs = _options.Jobs;
        if (!jobs.Enabled)
        {
            return;
        }

        var location = DatabaseLocator.Locate(jobs.DataDirectory, jobs.Database);
        Directory.CreateDirectory(jobs.DataDirectory);
        _store = await JobStore.OpenAsync(location, new JobStoreOptions(), _timeProvider, _loggerFactory, cancellationToken);
        var data = new DataConnection(location);
        var tables = new ForecastTables(data, _options.Forecasting);
        var forecasters = new ForecasterRepository(_options.Repository.Root);
        Tables = tables;
        var runner = new ExternalProcessRunner(_timeProvider, _loggerFactory.CreateLogger<ExternalProcessRunner>());
        IJobHandler[] handlers =
        [
            new TrainJobHandler(_manager, jobs, data, runner, _loggerFactory.CreateLogger<TrainJobHandler>()),
            new PredictJobHandler(_manager, jobs, data, _loggerFactory.CreateLogger<PredictJobHandler>()),
            new TrainForecastJobHandler(tables, forecasters, _loggerFactory.CreateLogger<TrainForecastJobHandler>()),
            new ForecastJobHandler(_store, tables, forecasters, _timeProvider, _loggerFactory.CreateLogger<ForecastJobHandler>()),
        ];
        // Shutdown waits for running jobs no longer than the grace in all: they may finish in its first part, are cancelled
        // for its last part (up to 2 s, what a cancelled job needs to stop), and are given back to their queue at its end.
        var cancellationGrace = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, jobs.ShutdownGrace.Ticks / 2));
        var workerOptions = new JobWorkerOptions
        {
            LeaseDuration = jobs.LeaseDuration,
            HeartbeatInterval = jobs.HeartbeatInterval,
            PollInterval = jobs.PollInterval,
            ShutdownTimeout = jobs.ShutdownGrace - cancellationGrace,
            CancellationGrace = cancellationGrace,
        };
        workerOptions.Queues[JobQueues.Training] = jobs.TrainingWorkers;
        workerOptions.Queues[JobQueues.Prediction] = jobs.PredictionWorkers;
        _pool = new JobWorkerPool(_store, handlers, workerOptions, _loggerFactory.CreateLogger<JobWorkerPool>());
        await _pool.StartAsync(cancellationToken);
        LogStarted(_logger, location.ToString(), Path.GetFullPath(jobs.DataDirectory));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_pool is not null)
        {
            await _pool.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
            _pool = null;
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Jobs: database {Database}, data directory {DataDirectory}")]
    private static partial void LogStarted(ILogger logger, string database, string dataDirectory);
}
