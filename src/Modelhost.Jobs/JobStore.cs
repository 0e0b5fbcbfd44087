using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Modelhost.Jobs.Storage;

namespace Modelhost.Jobs;

/// <summary>
/// The durable job queues: submitting, reading, listing, cancelling, retrying and watching jobs, on SQLite or PostgreSQL
/// with one set of statements. Workers (<see cref="Workers.JobWorkerPool"/>) claim jobs through the internal lease protocol.
/// </summary>
/// <remarks>
/// Every time comes from the store's <see cref="System.TimeProvider"/> and is stored as Unix milliseconds; the database's
/// own clock is never used, so processes sharing a database must agree on the time (NTP is enough: leases are seconds
/// long). Each method runs in one transaction; a busy database or a deadlock is retried a few times.
/// </remarks>
public sealed partial class JobStore : IAsyncDisposable
{
    private const int MaxWriteAttempts = 5;
    private const int MaxKindLength = 100;
    private const int MaxIdempotencyKeyLength = 200;
    private const int MaxDependencies = 100;
    private const int MaxAttemptsLimit = 1000;
    private const int ClaimCandidates = 10;

    private readonly JobDatabase _database;
    private readonly JobStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly JobNotifier _notifier = new();
    private readonly Lock _healthLock = new();
    private JobStoreHealth _health;

    private JobStore(JobDatabase database, JobStoreOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _database = database;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _health = new JobStoreHealth(true, null, timeProvider.GetUtcNow());
    }

    /// <summary>The engine behind the store.</summary>
    public JobDatabaseProvider Provider => _database.Provider;

    /// <summary>
    /// The store's identity: random, made when its database was created (or first opened by a version that knows of it), and
    /// kept in the database. Things outside the database that name a job (publication markers) name the store too.
    /// </summary>
    public string StoreId => _database.StoreId;

    /// <summary>
    /// Whether the last read or write reached the database, and if not why. Workers poll the database, so this returns to
    /// available on its own soon after the database does.
    /// </summary>
    public JobStoreHealth Health
    {
        get
        {
            lock (_healthLock)
            {
                return _health;
            }
        }
    }

    internal JobNotifier Notifier => _notifier;

    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>
    /// Opens the database at <paramref name="location"/> (creating a SQLite file and its directory when missing) and brings
    /// its schema up to date. Several processes may open one database at once: migrations run one process at a time.
    /// </summary>
    public static async Task<JobStore> OpenAsync(
        JobDatabaseLocation location,
        JobStoreOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        options ??= new JobStoreOptions();
        options.Retry.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLogLinesPerJob, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxUnfinishedJobs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLogLineLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.WatchPollInterval, TimeSpan.Zero);
        timeProvider ??= TimeProvider.System;
        var logger = (ILogger?)loggerFactory?.CreateLogger<JobStore>() ?? NullLogger.Instance;

        JobDatabase database = location.Provider switch
        {
            JobDatabaseProvider.Sqlite => new SqliteJobDatabase(location.ConnectionString),
            JobDatabaseProvider.Postgres => new PostgresJobDatabase(location.ConnectionString),
            _ => throw new ArgumentOutOfRangeException(nameof(location), location.Provider, "Unknown database provider."),
        };

        try
        {
            var applied = await database.MigrateAsync(SchemaMigrations.All, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken)
                .ConfigureAwait(false);
            if (applied.Count > 0)
            {
                LogMigrated(logger, string.Join(", ", applied), location.ToString());
            }
            else
            {
                LogSchemaCurrent(logger, location.ToString());
            }

            var storeId = await database.InitializeStoreIdAsync(timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            LogOpened(logger, storeId, location.ToString());
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new JobStore(database, options, timeProvider, logger);
    }

    /// <summary>
    /// Adds a job: <c>queued</c>, or <c>waiting</c> while a dependency has not succeeded yet, or at once <c>cancelled</c> when
    /// a dependency is already dead or cancelled. With an idempotency key that was used before, returns that first job.
    /// </summary>
    /// <exception cref="JobException">The submission is invalid, or a dependency does not exist (<see cref="JobErrorKind.MissingDependency"/>).</exception>
    public async Task<Job> SubmitAsync(JobSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        Validate(submission);
        var payload = submission.Payload?.ToJsonString() ?? "null";
        var parents = submission.DependsOn.Distinct().Order().ToArray();
        var key = submission.IdempotencyKey;

        var job = await WriteAsync(
            async session =>
            {
                if (key is not null && await FindByKeyAsync(session, key).ConfigureAwait(false) is { } existing)
                {
                    return existing;
                }

                // Counted inside the write: on SQLite, whose writes take turns, concurrent submissions cannot pass the limit
                // together; on PostgreSQL they may pass it by as many as submit at the same moment, which still bounds the queue.
                var unfinished = (await session.QueryAsync(
                    "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'waiting', 'running')",
                    r => r.GetInt64(0)).ConfigureAwait(false))[0];
                if (unfinished >= _options.MaxUnfinishedJobs)
                {
                    throw new JobException(
                        JobErrorKind.QueueFull,
                        string.Create(CultureInfo.InvariantCulture, $"The job queue holds {unfinished} unfinished jobs, as many as it may (jobs.max_unfinished); submit again when some have finished."));
                }

                // The dependencies are share-locked until the commit, so none can end (and miss this new dependent in
                // its cascade) between this check and the insert.
                var states = new Dictionary<long, JobState>();
                if (parents.Length > 0)
                {
                    var (list, parameters) = Sql.In("p", parents);
                    foreach (var (id, state) in await session.QueryAsync(
                        $"SELECT id, state FROM jobs WHERE id IN ({list}) ORDER BY id{_database.ForShare}",
                        r => (r.GetInt64(0), JobStateNames.Parse(r.GetString(1))),
                        parameters).ConfigureAwait(false))
                    {
                        states[id] = state;
                    }
                }

                foreach (var parent in parents)
                {
                    if (!states.ContainsKey(parent))
                    {
                        throw new JobException(JobErrorKind.MissingDependency, $"Job {JobRows.Id(parent)}, a dependency of the submission, does not exist.")
                        {
                            JobId = parent,
                        };
                    }
                }

                long? blocker = parents.Any(p => states[p] is JobState.Dead or JobState.Cancelled)
                    ? parents.First(p => states[p] is JobState.Dead or JobState.Cancelled)
                    : null;
                var initial = blocker is not null ? JobState.Cancelled
                    : parents.All(p => states[p] == JobState.Succeeded) ? JobState.Queued
                    : JobState.Waiting;

                var inserted = await session.QueryAsync(
                    """
                    INSERT INTO jobs (kind, queue, payload, state, attempts, max_attempts, next_run_at, cancel_requested, progress,
                                      error, blocked_by, idempotency_key, created_at, finished_at, updated_at)
                    VALUES (@kind, @queue, @payload, @state, 0, @max_attempts, @now, 0, 0,
                            @error, @blocked_by, @key, @now, @finished_at, @now)
                    ON CONFLICT (idempotency_key) DO NOTHING
                    RETURNING id
                    """,
                    r => r.GetInt64(0),
                    ("@kind", submission.Kind),
                    ("@queue", submission.Queue),
                    ("@payload", payload),
                    ("@state", initial.ToName()),
                    ("@max_attempts", (long)submission.MaxAttempts),
                    ("@now", session.Now),
                    ("@error", blocker is { } b ? DependencyGraph.Reason(b, states[b]) : null),
                    ("@blocked_by", blocker),
                    ("@key", key),
                    ("@finished_at", blocker is not null ? session.Now : null)).ConfigureAwait(false);

                if (inserted.Count == 0)
                {
                    // Another submission with this key committed while this one ran.
                    return await FindByKeyAsync(session, key!).ConfigureAwait(false)
                        ?? throw new InvalidOperationException("An idempotency key conflicted, but no job holds it.");
                }

                var jobId = inserted[0];
                foreach (var parent in parents)
                {
                    await session.ExecuteAsync(
                        "INSERT INTO job_dependencies (job_id, parent_id) VALUES (@job, @parent)",
                        ("@job", jobId),
                        ("@parent", parent)).ConfigureAwait(false);
                }

                session.Changes.Jobs.Add(jobId);
                if (initial == JobState.Queued)
                {
                    session.Changes.Queues.Add(submission.Queue);
                }

                var created = await JobRows.GetAsync(session, jobId).ConfigureAwait(false) ?? throw new InvalidOperationException("The new job vanished.");
                LogSubmitted(_logger, jobId, created.Kind, created.Queue, created.State.ToName());
                return created;
            },
            cancellationToken).ConfigureAwait(false);
        return job;
    }

    /// <summary>Reads from the database (checking, for SQLite, that its file is still the store's), updating <see cref="Health"/>.</summary>
    /// <exception cref="JobException">The store is unavailable (<see cref="JobErrorKind.Unavailable"/>).</exception>
    public Task CheckAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QueryAsync("SELECT store_id FROM job_store", r => r.GetString(0)), cancellationToken);

    /// <summary>
    /// For code that reaches the store's database by other means (the data tables beside the jobs): the
    /// <see cref="JobErrorKind.Unavailable"/> exception to throw instead of <paramref name="exception"/> when it says the
    /// database cannot be used now (which <see cref="Health"/> then reports too), or null for any other failure.
    /// </summary>
    public JobException? AsUnavailable(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Unavailable(exception);
    }

    /// <summary>The job, or null when there is none with this id.</summary>
    public Task<Job?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        ReadAsync(session => JobRows.GetAsync(session, id), cancellationToken);

    /// <summary>One page of jobs, newest first, matching <paramref name="filter"/>.</summary>
    /// <exception cref="JobException">The limit is out of range.</exception>
    public Task<JobPage> ListAsync(JobFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Limit is < 1 or > JobFilter.MaxLimit)
        {
            throw new JobException(JobErrorKind.InvalidArgument, $"The limit must be between 1 and {JobFilter.MaxLimit}.");
        }

        var conditions = new List<string>();
        var parameters = new List<(string, object?)>();
        if (filter.State is { } state)
        {
            conditions.Add("state = @state");
            parameters.Add(("@state", state.ToName()));
        }

        if (filter.Queue is not null)
        {
            conditions.Add("queue = @queue");
            parameters.Add(("@queue", filter.Queue));
        }

        if (filter.Kind is not null)
        {
            conditions.Add("kind = @kind");
            parameters.Add(("@kind", filter.Kind));
        }

        if (filter.Cursor is { } cursor)
        {
            conditions.Add("id < @cursor");
            parameters.Add(("@cursor", cursor));
        }

        parameters.Add(("@limit", (long)filter.Limit + 1));
        var where = conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", conditions);
        return ReadAsync(
            async session =>
            {
                using var command = session.Command($"SELECT {JobRows.Columns} FROM jobs {where} ORDER BY id DESC LIMIT @limit", [.. parameters]);
                var jobs = await JobRows.QueryAsync(session, command).ConfigureAwait(false);
                if (jobs.Count <= filter.Limit)
                {
                    return new JobPage(jobs, null);
                }

                jobs.RemoveAt(jobs.Count - 1);
                return new JobPage(jobs, jobs[^1].Id);
            },
            cancellationToken);
    }

    /// <summary>
    /// Cancels a job: a queued, waiting or failed job (and every job waiting on it) at once; a running job is asked to stop,
    /// which its worker notices at its next heartbeat, in whichever process it runs. Cancelling a cancelled job does nothing.
    /// </summary>
    /// <returns>The job after the change (a running job stays running, with <see cref="Job.CancelRequested"/> set).</returns>
    /// <exception cref="JobException">No such job, or it already succeeded or is dead.</exception>
    public Task<Job> CancelAsync(long id, string? reason = null, CancellationToken cancellationToken = default) =>
        WriteAsync(
            async session =>
            {
                var job = await JobRows.LockAsync(session, id).ConfigureAwait(false) ?? throw NotFound(id);
                switch (job.State)
                {
                    case JobState.Queued or JobState.Waiting or JobState.Failed:
                        await FinishAsync(session, id, JobState.Cancelled, reason ?? "Cancelled on request.").ConfigureAwait(false);
                        break;
                    case JobState.Running when !job.CancelRequested:
                        await session.ExecuteAsync(
                            "UPDATE jobs SET cancel_requested = 1, updated_at = @now WHERE id = @id",
                            ("@now", session.Now),
                            ("@id", id)).ConfigureAwait(false);
                        session.Changes.Jobs.Add(id);
                        session.Changes.Cancels.Add(id);
                        break;
                    case JobState.Running or JobState.Cancelled:
                        break;
                    default:
                        throw new JobException(JobErrorKind.Conflict, $"Job {JobRows.Id(id)} is {job.State.ToName()}; only unfinished jobs can be cancelled.") { JobId = id };
                }

                return await JobRows.GetAsync(session, id).ConfigureAwait(false) ?? throw NotFound(id);
            },
            cancellationToken);

    /// <summary>
    /// Runs a dead or cancelled job again from its first attempt (<c>queued</c>, or <c>waiting</c> for its dependencies),
    /// and revives the jobs that were cancelled because of it; a failed job runs now instead of after its backoff.
    /// </summary>
    /// <exception cref="JobException">No such job; it is not dead, cancelled or failed; or one of its own dependencies is dead or cancelled.</exception>
    public Task<Job> RetryAsync(long id, CancellationToken cancellationToken = default) =>
        WriteAsync(
            async session =>
            {
                var job = await JobRows.LockAsync(session, id).ConfigureAwait(false) ?? throw NotFound(id);
                if (job.State == JobState.Failed)
                {
                    await session.ExecuteAsync("UPDATE jobs SET next_run_at = @now, updated_at = @now WHERE id = @id", ("@now", session.Now), ("@id", id))
                        .ConfigureAwait(false);
                }
                else if (job.State is JobState.Dead or JobState.Cancelled)
                {
                    var parents = await session.QueryAsync(
                        $"SELECT id, state FROM jobs WHERE id IN (SELECT parent_id FROM job_dependencies WHERE job_id = @id) ORDER BY id{_database.ForShare}",
                        r => (Id: r.GetInt64(0), State: JobStateNames.Parse(r.GetString(1))),
                        ("@id", id)).ConfigureAwait(false);
                    foreach (var parent in parents)
                    {
                        if (parent.State is JobState.Dead or JobState.Cancelled)
                        {
                            throw new JobException(
                                JobErrorKind.Conflict,
                                $"Job {JobRows.Id(id)} depends on job {JobRows.Id(parent.Id)}, which is {parent.State.ToName()}; retry that job first.")
                            {
                                JobId = id,
                            };
                        }
                    }

                    var state = parents.All(p => p.State == JobState.Succeeded) ? JobState.Queued : JobState.Waiting;
                    await session.ExecuteAsync(
                        """
                        UPDATE jobs SET state = @state, attempts = 0, next_run_at = @now, lease_owner = NULL, lease_expires_at = NULL,
                                        cancel_requested = 0, progress = 0, progress_message = NULL, result = NULL, error = NULL,
                                        blocked_by = NULL, started_at = NULL, finished_at = NULL, updated_at = @now
                        WHERE id = @id
                        """,
                        ("@state", state.ToName()),
                        ("@now", session.Now),
                        ("@id", id)).ConfigureAwait(false);
                    await DependencyGraph.ReviveDependentsAsync(session, id).ConfigureAwait(false);
                }
                else
                {
                    throw new JobException(JobErrorKind.Conflict, $"Job {JobRows.Id(id)} is {job.State.ToName()}; only dead, cancelled or failed jobs can be retried.")
                    {
                        JobId = id,
                    };
                }

                session.Changes.Jobs.Add(id);
                session.Changes.Queues.Add(job.Queue);
                return await JobRows.GetAsync(session, id).ConfigureAwait(false) ?? throw NotFound(id);
            },
            cancellationToken);

    /// <summary>The job's log lines after line <paramref name="afterId"/> (0 for the oldest kept), oldest first.</summary>
    /// <exception cref="JobException">The limit is out of range.</exception>
    public Task<IReadOnlyList<JobLogLine>> GetLogsAsync(long jobId, long afterId = 0, int limit = 1000, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > JobFilter.MaxLimit)
        {
            throw new JobException(JobErrorKind.InvalidArgument, $"The limit must be between 1 and {JobFilter.MaxLimit}.");
        }

        return ReadAsync<IReadOnlyList<JobLogLine>>(
            async session => await session.QueryAsync(
                "SELECT id, job_id, at, line FROM job_logs WHERE job_id = @job AND id > @after ORDER BY id LIMIT @limit",
                r => new JobLogLine(r.GetInt64(0), r.GetInt64(1), Sql.Time(r.GetInt64(2)), r.GetString(3)),
                ("@job", jobId),
                ("@after", afterId),
                ("@limit", (long)limit)).ConfigureAwait(false),
            cancellationToken);
    }

    /// <summary>
    /// Streams what happens to a job: first a <see cref="JobEventKind.State"/> event with its current state and its kept log
    /// lines, then every state change, progress report and log line, until it succeeded, is dead or cancelled.
    /// </summary>
    /// <remarks>
    /// The database is the source of truth: a change made through this store wakes the watcher at once, and changes made
    /// by other processes are seen within <see cref="JobStoreOptions.WatchPollInterval"/>. Progress reports that come faster
    /// than the watcher reads may be merged into one event; state changes and log lines are not lost.
    /// </remarks>
    /// <exception cref="JobException">No such job.</exception>
    public async IAsyncEnumerable<JobEvent> WatchAsync(long jobId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var signal = _notifier.SubscribeJob(jobId);
        Job? last = null;
        long lastLogId = 0;
        while (true)
        {
            var job = await GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                throw NotFound(jobId);
            }

            if (last is null)
            {
                yield return StateEvent(job);
            }

            var logs = await GetLogsAsync(jobId, lastLogId, JobFilter.MaxLimit, cancellationToken).ConfigureAwait(false);
            foreach (var line in logs)
            {
                yield return new JobEvent
                {
                    JobId = jobId,
                    Kind = JobEventKind.Log,
                    At = line.At,
                    State = job.State,
                    Attempts = job.Attempts,
                    Progress = job.Progress,
                    ProgressMessage = job.ProgressMessage,
                    Log = line,
                };
                lastLogId = line.Id;
            }

            if (last is not null)
            {
                if (job.State != last.State || job.Attempts != last.Attempts)
                {
                    yield return StateEvent(job);
                }
                else if (job.Progress != last.Progress || job.ProgressMessage != last.ProgressMessage)
                {
                    yield return StateEvent(job) with { Kind = JobEventKind.Progress, Error = null };
                }
            }

            last = job;
            if (logs.Count == JobFilter.MaxLimit)
            {
                continue;
            }

            if (job.State.IsFinal())
            {
                yield break;
            }

            await signal.WaitAsync(_options.WatchPollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the database (a SQLite file, or PostgreSQL's connection pool).</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <summary>
    /// Gives <paramref name="workerId"/> the next due job of <paramref name="queue"/>: queued, failed and past its backoff, or
    /// running under a lease that expired (its worker died). Such a job whose cancel was asked for, or whose expired attempt
    /// was its last, ends cancelled or dead instead. The attempt counts from here.
    /// </summary>
    internal Task<Job?> ClaimAsync(string queue, string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
        WriteAsync(
            async session =>
            {
                for (var i = 0; i < ClaimCandidates; i++)
                {
                    var candidates = await session.QueryAsync(
                        $"""
                        SELECT id, state, attempts, max_attempts, cancel_requested, lease_owner FROM jobs
                        WHERE queue = @queue
                          AND ((state IN ('queued', 'failed') AND next_run_at <= @now) OR (state = 'running' AND lease_expires_at < @now))
                        ORDER BY next_run_at, id
                        LIMIT 1{_database.ForUpdateSkipLocked}
                        """,
                        r => (Id: r.GetInt64(0), State: r.GetString(1), Attempts: r.GetInt64(2), MaxAttempts: r.GetInt64(3),
                              CancelRequested: r.GetInt64(4) != 0, Owner: Sql.NullableString(r, 5)),
                        ("@queue", queue),
                        ("@now", session.Now)).ConfigureAwait(false);
                    if (candidates.Count == 0)
                    {
                        return null;
                    }

                    var candidate = candidates[0];
                    string? error = null;
                    if (candidate.State == "running")
                    {
                        error = $"The worker {candidate.Owner} running attempt {candidate.Attempts} stopped renewing its lease.";
                        if (candidate.CancelRequested)
                        {
                            LogLeaseExpired(_logger, candidate.Id, candidate.Owner, "cancelled, as was asked");
                            await FinishAsync(session, candidate.Id, JobState.Cancelled, "Cancelled on request (its worker stopped renewing its lease).")
                                .ConfigureAwait(false);
                            continue;
                        }

                        if (candidate.Attempts >= candidate.MaxAttempts)
                        {
                            LogLeaseExpired(_logger, candidate.Id, candidate.Owner, "dead, out of attempts");
                            await FinishAsync(session, candidate.Id, JobState.Dead, error).ConfigureAwait(false);
                            continue;
                        }

                        LogLeaseExpired(_logger, candidate.Id, candidate.Owner, "claimed again");
                    }

                    await session.ExecuteAsync(
                        $"""
                        UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = @worker, lease_expires_at = @expires,
                                        started_at = @now, progress = 0, progress_message = NULL, updated_at = @now
                                        {(error is null ? string.Empty : ", error = @error")}
                        WHERE id = @id
                        """,
                        [("@worker", workerId), ("@expires", session.Now + (long)leaseDuration.TotalMilliseconds), ("@now", session.Now),
                         ("@id", candidate.Id), .. error is null ? Array.Empty<(string, object?)>() : [("@error", error)]]).ConfigureAwait(false);
                    session.Changes.Jobs.Add(candidate.Id);
                    return await JobRows.GetAsync(session, candidate.Id).ConfigureAwait(false);
                }

                return null;
            },
            cancellationToken);

    /// <summary>Extends the lease of a job <paramref name="workerId"/> runs, and reports whether a cancel was asked for.</summary>
    internal Task<LeaseRenewal> RenewLeaseAsync(long id, string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
        WriteAsync(
            async session =>
            {
                var rows = await session.QueryAsync(
                    """
                    UPDATE jobs SET lease_expires_at = @expires, updated_at = @now
                    WHERE id = @id AND lease_owner = @worker AND state = 'running'
                    RETURNING cancel_requested
                    """,
                    r => r.GetInt64(0) != 0,
                    ("@expires", session.Now + (long)leaseDuration.TotalMilliseconds),
                    ("@now", session.Now),
                    ("@id", id),
                    ("@worker", workerId)).ConfigureAwait(false);
                return rows.Count == 0 ? new LeaseRenewal(false, false) : new LeaseRenewal(true, rows[0]);
            },
            cancellationToken);

    /// <summary>Records the job's result; false when <paramref name="workerId"/> no longer holds it.</summary>
    internal Task<bool> CompleteAsync(long id, string workerId, JsonNode? result, CancellationToken cancellationToken) =>
        WriteAsync(
            async session =>
            {
                if (!await LockOwnedAsync(session, id, workerId).ConfigureAwait(false))
                {
                    return false;
                }

                await session.ExecuteAsync(
                    """
                    UPDATE jobs SET state = 'succeeded', result = @result, error = NULL, progress = 100, lease_owner = NULL,
                                    lease_expires_at = NULL, finished_at = @now, updated_at = @now
                    WHERE id = @id
                    """,
                    ("@result", result?.ToJsonString()),
                    ("@now", session.Now),
                    ("@id", id)).ConfigureAwait(false);
                session.Changes.Jobs.Add(id);
                await DependencyGraph.PromoteAsync(session, id).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// Records a failed attempt: <c>failed</c> with a backoff, or <c>dead</c> (and its dependents cancelled) when it was the last
    /// attempt or <paramref name="permanent"/>. Null when <paramref name="workerId"/> no longer holds the job.
    /// </summary>
    internal Task<JobState?> FailAsync(long id, string workerId, string error, bool permanent, CancellationToken cancellationToken) =>
        WriteAsync<JobState?>(
            async session =>
            {
                var rows = await session.QueryAsync(
                    $"SELECT attempts, max_attempts FROM jobs WHERE id = @id AND lease_owner = @worker AND state = 'running'{_database.ForUpdate}",
                    r => (Attempts: checked((int)r.GetInt64(0)), MaxAttempts: checked((int)r.GetInt64(1))),
                    ("@id", id),
                    ("@worker", workerId)).ConfigureAwait(false);
                if (rows.Count == 0)
                {
                    return null;
                }

                var (attempts, maxAttempts) = rows[0];
                if (permanent || attempts >= maxAttempts)
                {
                    await FinishAsync(session, id, JobState.Dead, error).ConfigureAwait(false);
                    LogDead(_logger, id, attempts, error);
                    return JobState.Dead;
                }

                var delay = _options.Retry.Delay(attempts, _options.Random());
                await session.ExecuteAsync(
                    """
                    UPDATE jobs SET state = 'failed', error = @error, next_run_at = @next, lease_owner = NULL, lease_expires_at = NULL,
                                    updated_at = @now
                    WHERE id = @id
                    """,
                    ("@error", error),
                    ("@next", session.Now + (long)delay.TotalMilliseconds),
                    ("@now", session.Now),
                    ("@id", id)).ConfigureAwait(false);
                session.Changes.Jobs.Add(id);
                return JobState.Failed;
            },
            cancellationToken);

    /// <summary>Records that the handler stopped because a cancel was asked for; false when the worker no longer holds the job.</summary>
    internal Task<bool> MarkCancelledAsync(long id, string workerId, CancellationToken cancellationToken) =>
        WriteAsync(
            async session =>
            {
                if (!await LockOwnedAsync(session, id, workerId).ConfigureAwait(false))
                {
                    return false;
                }

                await FinishAsync(session, id, JobState.Cancelled, "Cancelled on request while running.").ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// Gives a job back without counting the attempt (the worker is shutting down): <c>queued</c> again and due now, or
    /// cancelled if a cancel was asked for meanwhile. False when the worker no longer holds it.
    /// </summary>
    internal Task<bool> ReleaseAsync(long id, string workerId, CancellationToken cancellationToken) =>
        WriteAsync(
            async session =>
            {
                var rows = await session.QueryAsync(
                    $"SELECT cancel_requested, queue FROM jobs WHERE id = @id AND lease_owner = @worker AND state = 'running'{_database.ForUpdate}",
                    r => (CancelRequested: r.GetInt64(0) != 0, Queue: r.GetString(1)),
                    ("@id", id),
                    ("@worker", workerId)).ConfigureAwait(false);
                if (rows.Count == 0)
                {
                    return false;
                }

                if (rows[0].CancelRequested)
                {
                    await FinishAsync(session, id, JobState.Cancelled, "Cancelled on request while its worker shut down.").ConfigureAwait(false);
                    return true;
                }

                await session.ExecuteAsync(
                    """
                    UPDATE jobs SET state = 'queued', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, lease_owner = NULL,
                                    lease_expires_at = NULL, next_run_at = @now, started_at = NULL, progress = 0, progress_message = NULL,
                                    updated_at = @now
                    WHERE id = @id
                    """,
                    ("@now", session.Now),
                    ("@id", id)).ConfigureAwait(false);
                session.Changes.Jobs.Add(id);
                session.Changes.Queues.Add(rows[0].Queue);
                return true;
            },
            cancellationToken);

    /// <summary>Stores a progress report of a running job; false when <paramref name="workerId"/> no longer holds it.</summary>
    internal Task<bool> ReportProgressAsync(long id, string workerId, int percent, string? message, CancellationToken cancellationToken) =>
        WriteAsync(
            async session =>
            {
                var changed = await session.ExecuteAsync(
                    """
                    UPDATE jobs SET progress = @progress, progress_message = @message, updated_at = @now
                    WHERE id = @id AND lease_owner = @worker AND state = 'running'
                    """,
                    ("@progress", (long)percent),
                    ("@message", message),
                    ("@now", session.Now),
                    ("@id", id),
                    ("@worker", workerId)).ConfigureAwait(false);
                if (changed > 0)
                {
                    session.Changes.Jobs.Add(id);
                }

                return changed > 0;
            },
            cancellationToken);

    /// <summary>Appends a line to the job's log, deleting the oldest lines beyond <see cref="JobStoreOptions.MaxLogLinesPerJob"/>.</summary>
    internal Task AppendLogAsync(long id, string line, CancellationToken cancellationToken)
    {
        line = line.ReplaceLineEndings(" ");
        if (line.Length > _options.MaxLogLineLength)
        {
            line = line[.._options.MaxLogLineLength];
        }

        return WriteAsync(
            async session =>
            {
                await session.ExecuteAsync(
                    "INSERT INTO job_logs (job_id, at, line) VALUES (@job, @now, @line)",
                    ("@job", id),
                    ("@now", session.Now),
                    ("@line", line)).ConfigureAwait(false);
                await session.ExecuteAsync(
                    """
                    DELETE FROM job_logs WHERE job_id = @job
                      AND id <= (SELECT id FROM job_logs WHERE job_id = @job ORDER BY id DESC LIMIT 1 OFFSET @keep)
                    """,
                    ("@job", id),
                    ("@keep", (long)_options.MaxLogLinesPerJob)).ConfigureAwait(false);
                session.Changes.Jobs.Add(id);
                return true;
            },
            cancellationToken);
    }

    private static JobException NotFound(long id) => new(JobErrorKind.NotFound, $"Job {JobRows.Id(id)} does not exist.") { JobId = id };

    private static JobEvent StateEvent(Job job) => new()
    {
        JobId = job.Id,
        Kind = JobEventKind.State,
        At = job.UpdatedAt,
        State = job.State,
        Attempts = job.Attempts,
        Progress = job.Progress,
        ProgressMessage = job.ProgressMessage,
        Error = job.Error,
    };

    private static void Validate(JobSubmission submission)
    {
        if (string.IsNullOrWhiteSpace(submission.Kind) || submission.Kind.Length > MaxKindLength)
        {
            throw new JobException(JobErrorKind.InvalidArgument, $"A job's kind must be 1 to {MaxKindLength} characters.");
        }

        if (submission.Queue is null || !QueueName().IsMatch(submission.Queue))
        {
            throw new JobException(
                JobErrorKind.InvalidArgument,
                $"'{submission.Queue}' is not a queue name: use lowercase letters, digits, '-' and '_', at most 64 characters, starting with a letter or digit.");
        }

        if (submission.MaxAttempts is < 1 or > MaxAttemptsLimit)
        {
            throw new JobException(JobErrorKind.InvalidArgument, $"max_attempts must be between 1 and {MaxAttemptsLimit}.");
        }

        if (submission.IdempotencyKey is { } key && (key.Length == 0 || key.Length > MaxIdempotencyKeyLength))
        {
            throw new JobException(JobErrorKind.InvalidArgument, $"An idempotency key must be 1 to {MaxIdempotencyKeyLength} characters.");
        }

        if (submission.DependsOn is null || submission.DependsOn.Count > MaxDependencies)
        {
            throw new JobException(JobErrorKind.InvalidArgument, $"A job may depend on at most {MaxDependencies} jobs.");
        }
    }

    private static async Task<Job?> FindByKeyAsync(SqlSession session, string key)
    {
        using var command = session.Command($"SELECT {JobRows.Columns} FROM jobs WHERE idempotency_key = @key", ("@key", key));
        var jobs = await JobRows.QueryAsync(session, command).ConfigureAwait(false);
        return jobs.Count == 0 ? null : jobs[0];
    }

    private async Task<bool> LockOwnedAsync(SqlSession session, long id, string workerId)
    {
        var rows = await session.QueryAsync(
            $"SELECT id FROM jobs WHERE id = @id AND lease_owner = @worker AND state = 'running'{_database.ForUpdate}",
            r => r.GetInt64(0),
            ("@id", id),
            ("@worker", workerId)).ConfigureAwait(false);
        return rows.Count > 0;
    }

    /// <summary>Ends a (locked) job as dead or cancelled, and cancels the jobs waiting on it.</summary>
    private async Task FinishAsync(SqlSession session, long id, JobState state, string error)
    {
        await session.ExecuteAsync(
            """
            UPDATE jobs SET state = @state, error = @error, lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now
            WHERE id = @id
            """,
            ("@state", state.ToName()),
            ("@error", error),
            ("@now", session.Now),
            ("@id", id)).ConfigureAwait(false);
        session.Changes.Jobs.Add(id);
        var cancelled = await DependencyGraph.CancelDependentsAsync(session, id, state).ConfigureAwait(false);
        if (state == JobState.Cancelled || cancelled > 0)
        {
            LogEnded(_logger, id, state.ToName(), cancelled);
        }
    }

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<T> ReadAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            T result;
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                result = await work(new SqlSession(_database, connection, null, NowMs(), cancellationToken)).ConfigureAwait(false);
            }

            MarkAvailable();
            return result;
        }
        catch (Exception ex) when (Unavailable(ex) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>
    /// The <see cref="JobErrorKind.Unavailable"/> exception for a failure that says the database cannot be used now (and
    /// <see cref="Health"/> set to say so); null for any other exception.
    /// </summary>
    private JobException? Unavailable(Exception exception)
    {
        var reason = exception switch
        {
            JobException { Kind: JobErrorKind.Unavailable } job => job.Message,
            DbException db when _database.IsUnavailable(db) => $"its database cannot be used: {db.Message}",
            _ => null,
        };
        if (reason is null)
        {
            return null;
        }

        bool changed;
        lock (_healthLock)
        {
            changed = _health.Available || _health.Reason != reason;
            if (changed)
            {
                _health = new JobStoreHealth(false, reason, _timeProvider.GetUtcNow());
            }
        }

        if (changed)
        {
            LogUnavailable(_logger, reason);
        }

        return new JobException(
            JobErrorKind.Unavailable,
            $"the job store is unavailable: {reason}. Try again later: the store recovers on its own when its database is back");
    }

    private void MarkAvailable()
    {
        JobStoreHealth? was = null;
        lock (_healthLock)
        {
            if (!_health.Available)
            {
                was = _health;
                _health = new JobStoreHealth(true, null, _timeProvider.GetUtcNow());
            }
        }

        if (was is not null)
        {
            LogRecovered(_logger, (_timeProvider.GetUtcNow() - was.Since).TotalSeconds);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction, retried when the engine says trying again may work.</summary>
    private async Task<T> WriteAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                SqlSession session;
                T result;
                var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var transaction = await _database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        session = new SqlSession(_database, connection, transaction, NowMs(), cancellationToken);
                        result = await work(session).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                // A commit into a file that was deleted or replaced meanwhile is not durable: not acknowledged either.
                _database.CheckAfterCommit();
                MarkAvailable();
                _notifier.Publish(session.Changes);
                return result;
            }
            catch (DbException ex) when (attempt < MaxWriteAttempts && _database.IsTransient(ex))
            {
                LogTransient(_logger, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt * attempt), _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (Unavailable(ex) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueName();

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Job store migrations {Versions} applied to {Database}")]
    private static partial void LogMigrated(ILogger logger, string versions, string database);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Job store schema is current in {Database}")]
    private static partial void LogSchemaCurrent(ILogger logger, string database);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "A job store transaction hit a transient error (attempt {Attempt}); retrying: {Reason}")]
    private static partial void LogTransient(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Job store {StoreId} opened on {Database}")]
    private static partial void LogOpened(ILogger logger, string storeId, string database);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "The job store is unavailable; job requests answer 503 until it is back: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "The job store is available again after {Seconds:F1} s")]
    private static partial void LogRecovered(ILogger logger, double seconds);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Job {JobId} submitted: kind {Kind}, queue {Queue}, {State}")]
    private static partial void LogSubmitted(ILogger logger, long jobId, string kind, string queue, string state);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "The lease of job {JobId} held by {Worker} expired; the job is {Outcome}")]
    private static partial void LogLeaseExpired(ILogger logger, long jobId, string? worker, string outcome);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Job {JobId} is dead after {Attempts} attempts: {Error}")]
    private static partial void LogDead(ILogger logger, long jobId, int attempts, string error);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message = "Job {JobId} is {State}; {Dependents} jobs depending on it were cancelled")]
    private static partial void LogEnded(ILogger logger, long jobId, string state, int dependents);
}
