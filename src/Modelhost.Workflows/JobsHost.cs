using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modelhost.Core.Models;
using Modelhost.Jobs;
using Modelhost.Workflows.Data;
using Modelhost.Jobs.Processes;
using Modelhost.Jobs.Workers;

namespace Modelhost.Workflows;

/// <summary>
/// Opens the job store when the server starts (after the models have loaded) and runs the worker pool with the
/// <c>train</c>, <c>predict</c>, <c>train_forecast</c> and <c>forecast</c> handlers; at shutdown the pool stops, giving unfinished jobs back to their queues.
/// </summary>
public sealed partial class JobsHost : IHostedService, IAsyncDisposable
{
    private readonly JobsOptions _jobs;
    private readonly ForecastingOptions _forecasting;
    private readonly string _repositoryRoot;
    private readonly ModelRepositoryManager _manager;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly System.Diagnostics.Metrics.IMeterFactory? _meterFactory;
    private JobStore? _store;
    private JobWorkerPool? _pool;
    private ForecastTables? _tables;

    /// <summary>Creates the host; nothing opens before <see cref="StartAsync"/>.</summary>
    /// <param name="jobs">The job system's settings.</param>
    /// <param name="forecasting">The per-country pipeline's tables.</param>
    /// <param name="manager">The model repository the handlers train into and predict with.</param>
    /// <param name="timeProvider">The clock of leases, retries and external processes.</param>
    /// <param name="loggerFactory">The handlers' and the worker pool's loggers.</param>
    /// <param name="meterFactory">The host's meter factory for the workers' metrics; null for a meter of the pool's own.</param>
    public JobsHost(JobsOptions jobs, ForecastingOptions forecasting, ModelRepositoryManager manager, TimeProvider timeProvider, ILoggerFactory loggerFactory, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        _meterFactory = meterFactory;
        ArgumentNullException.ThrowIfNull(manager);
        _jobs = jobs;
        _forecasting = forecasting;
        _repositoryRoot = manager.Root;
        _manager = manager;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<JobsHost>();
    }

    /// <summary>The store, once open; null while jobs are off (or not started yet).</summary>
    public JobStore? Store => _store;

    /// <summary>The job system's settings.</summary>
    public JobsOptions Options => _jobs;

    /// <summary>The job store's health, null while jobs are off (or not open yet).</summary>
    public JobStoreHealth? Health => _store?.Health;

    /// <summary>The per-country pipeline's tables, once jobs are open; null while jobs are off.</summary>
    public ForecastTables? Tables => _tables;

    /// <summary>Opens the job store and starts the workers, when jobs are enabled.</summary>
    /// <param name="cancellationToken">Stops opening.</param>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var jobs = _jobs;
        if (!jobs.Enabled)
        {
            return;
        }

        var location = DatabaseLocator.Locate(jobs.DataDirectory, jobs.Database);
        Directory.CreateDirectory(jobs.DataDirectory);
        _store = await JobStore.OpenAsync(location, new JobStoreOptions { MaxUnfinishedJobs = jobs.MaxUnfinishedJobs }, _timeProvider, _loggerFactory, cancellationToken);
        var data = new DataConnection(location);
        var tables = new ForecastTables(data, _forecasting);
        var forecasters = new ForecasterRepository(_repositoryRoot);
        _tables = tables;
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
        _pool = new JobWorkerPool(_store, handlers, workerOptions, _loggerFactory.CreateLogger<JobWorkerPool>(), _meterFactory);
        await _pool.StartAsync(cancellationToken);
        LogStarted(_logger, location.ToString(), Path.GetFullPath(jobs.DataDirectory));
    }

    /// <summary>Stops the workers, giving unfinished jobs back to their queues.</summary>
    /// <param name="cancellationToken">Cuts the wait short.</param>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_pool is not null)
        {
            await _pool.StopAsync(cancellationToken);
        }
    }

    /// <summary>Disposes of the worker pool and closes the store.</summary>
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
