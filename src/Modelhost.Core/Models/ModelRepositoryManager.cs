using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Modelhost.Core.Configuration;
using Modelhost.Core.Repository;
using Modelhost.Core.Telemetry;

namespace Modelhost.Core.Models;

/// <summary>
/// Keeps the served models in step with the repository on disk: loads the versions each model's policy selects,
/// swaps in new versions once they are warm, retires removed ones after their requests finish, and answers
/// which version serves a request. One failing model or version never affects the others.
/// </summary>
public sealed partial class ModelRepositoryManager : IAsyncDisposable
{
    private readonly ModelRepositoryOptions _options;
    private readonly ModelLoader _loader;
    private readonly ILogger _logger;
    private readonly CoreMetrics _metrics;
    private readonly ConcurrentDictionary<string, ModelEntry> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _unloaded = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _syncLock = new(1, 1);
    private bool _initialized;
    private bool _scanned;
    private volatile string? _repositoryError;
    private bool _disposed;

    /// <summary>Creates a manager; nothing is loaded until <see cref="SyncAsync"/> runs.</summary>
    /// <param name="options">The repository and its limits.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="loggerFactory">Where to log.</param>
    /// <param name="meterFactory">The host's meter factory for <see cref="Metrics"/>; null for a meter of the manager's own.</param>
    public ModelRepositoryManager(ModelRepositoryOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _logger = loggerFactory.CreateLogger<ModelRepositoryManager>();
        _metrics = new CoreMetrics(meterFactory, ObservePending, ObserveStates);
        _loader = new ModelLoader(options, timeProvider, loggerFactory.CreateLogger<ModelLoader>(), _metrics);
    }

    /// <summary>The serving metrics of the models this manager loads.</summary>
    public CoreMetrics Metrics => _metrics;

    /// <summary>The repository's root directory.</summary>
    public string Root => _options.Root;

    /// <summary>The model marked <c>default: true</c>, or null when none is (or more than one is).</summary>
    public string? DefaultModel { get; private set; }

    /// <summary>
    /// Why there is no <see cref="DefaultModel"/> although a model asks to be it: several models marked
    /// <c>default: true</c> (a config error, naming them), or the default model unloaded; null otherwise.
    /// </summary>
    public string? DefaultModelProblem { get; private set; }

    /// <summary>Whether the first sync finished, so that every model present at startup has been tried.</summary>
    public bool IsInitialized => Volatile.Read(ref _initialized);

    /// <summary>
    /// Scans the repository once and brings the served versions in line with it. New versions seen for the
    /// first time by a poll wait until the next poll finds their files unchanged, so a copy in progress is
    /// never loaded; the first sync after startup loads at once.
    /// </summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _syncLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _metrics.RepositoryPolls.Add(1);
            var snapshot = RepositoryScanner.Scan(_options.Root, _options.SingleModelName);
            foreach (var problem in snapshot.Problems)
            {
                Log.RepositoryProblem(_logger, problem);
            }

            if (snapshot.Error is { } error)
            {
                // Nothing was seen, which says nothing about what exists: every loaded version keeps serving.
                if (_repositoryError != error)
                {
                    Log.ScanFailed(_logger, error);
                }

                _repositoryError = error;
                Volatile.Write(ref _initialized, true);
                return;
            }

            _repositoryError = null;
            Volatile.Write(ref _scanned, true);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var directory in snapshot.Models)
            {
                seen.Add(directory.Name);
                if (_unloaded.ContainsKey(directory.Name))
                {
                    continue;
                }

                var entry = _models.GetOrAdd(directory.Name, static name => new ModelEntry(name));
                if (directory.ReadError is { } readError)
                {
                    if (entry.ReadError != readError)
                    {
                        // Once per error, not once per poll.
                        Log.ModelUnreadable(_logger, directory.Name, readError);
                    }

                    entry.ReadError = readError;
                    continue;
                }

                entry.ReadError = null;
                await SyncModelAsync(entry, directory, requireStable: _initialized, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (name, entry) in _models)
            {
                // Only a name that is gone from the repository is a removal; an unreadable one is still in `seen`.
                if (!seen.Contains(name))
                {
                    Log.ModelRemoved(_logger, name);
                    _models.TryRemove(name, out _);
                    await entry.RetireAllAsync().ConfigureAwait(false);
                }
            }

            UpdateDefaultModel();
            Volatile.Write(ref _initialized, true);
        }
        finally
        {
            _syncLock.Release();
        }
    }

    /// <summary>
    /// Loads (or reloads) one model now, as Triton's repository API does; it is polled again from then on.
    /// </summary>
    /// <exception cref="InferenceException">The model is not in the repository.</exception>
    public async Task LoadAsync(string name, CancellationToken cancellationToken)
    {
        await _syncLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = RepositoryScanner.Scan(_options.Root, _options.SingleModelName);
            if (snapshot.Error is { } error)
            {
                throw new InferenceException(InferenceErrorKind.Unavailable, $"cannot load '{name}': {error}");
            }

            var directory = snapshot.Find(name)
                ?? throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' is not in the repository");
            if (directory.ReadError is { } readError)
            {
                throw new InferenceException(InferenceErrorKind.Unavailable, $"cannot load '{name}': {readError}");
            }

            _unloaded.TryRemove(name, out _);
            var entry = _models.GetOrAdd(name, static n => new ModelEntry(n));
            entry.ForgetConfig();
            entry.ReadError = null;
            await SyncModelAsync(entry, directory, requireStable: false, cancellationToken).ConfigureAwait(false);
            UpdateDefaultModel();
        }
        finally
        {
            _syncLock.Release();
        }
    }

    /// <summary>Unloads every version of a model; polling leaves it unloaded until <see cref="LoadAsync"/>.</summary>
    /// <exception cref="InferenceException">The model is not loaded.</exception>
    public async Task UnloadAsync(string name, CancellationToken cancellationToken)
    {
        await _syncLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_models.TryRemove(name, out var entry))
            {
                throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' is not loaded");
            }

            // The value remembers whether it was the default model, so /predict can say it is unloaded.
            _unloaded[name] = entry.Config.IsDefault;
            Log.ModelUnloaded(_logger, name);
            await entry.RetireAllAsync().ConfigureAwait(false);
            UpdateDefaultModel();
        }
        finally
        {
            _syncLock.Release();
        }
    }

    /// <summary>
    /// The NotFound error for a model this manager does not serve: an unloaded one is named as such, with how to load it
    /// again, so that no route calls it unknown while another says it is unloaded.
    /// </summary>
    public InferenceException NotServed(string name) => new(
        InferenceErrorKind.NotFound,
        _unloaded.ContainsKey(name) ? $"model '{name}' is unloaded; load it with POST /v2/repository/models/{name}/load or gRPC RepositoryModelLoad" : $"unknown model '{name}'");

    /// <summary>
    /// Takes a lease on the version that serves a request: the given version, the version a label names, or
    /// the highest ready version.
    /// </summary>
    /// <exception cref="InferenceException">NotFound for an unknown model, version or label; Unavailable when it isn't ready.</exception>
    public ModelLease Acquire(string name, long? version = null, string? label = null)
    {
        if (!_models.TryGetValue(name, out var entry))
        {
            throw NotServed(name);
        }

        if (label is not null)
        {
            if (!entry.Config.Labels.TryGetValue(label, out var labelled))
            {
                throw new InferenceException(InferenceErrorKind.NotFound, $"model '{name}' has no label '{label}'");
            }

            version = labelled;
        }

        while (true)
        {
            var model = entry.Resolve(version);
            if (model.TryAcquire())
            {
                return new ModelLease(model);
            }

            // The version was retired between the lookup and the lease: look again.
        }
    }

    /// <summary>
    /// <see cref="Acquire"/> for an inference request: a request for a model, version or label that does not exist
    /// also counts as a failed request under <see cref="CoreMetrics.UnknownModel"/>, so its name never becomes a label.
    /// </summary>
    /// <exception cref="InferenceException">As <see cref="Acquire"/> throws.</exception>
    public ModelLease AcquireForInference(string name, long? version = null, string? label = null)
    {
        try
        {
            return Acquire(name, version, label);
        }
        catch (InferenceException ex) when (ex.Kind == InferenceErrorKind.NotFound)
        {
            _metrics.RecordUnknownModel();
            throw;
        }
    }

    /// <summary>The state of every model and version, sorted by name.</summary>
    public IReadOnlyList<ModelStatus> Index()
    {
        var list = new List<ModelStatus>(_models.Count + _unloaded.Count);
        foreach (var entry in _models.Values)
        {
            list.Add(entry.Status(_repositoryError));
        }

        foreach (var name in _unloaded.Keys)
        {
            list.Add(new ModelStatus(name, ModelConfig.Default, null, unloaded: true, []));
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    /// <summary>
    /// <see cref="Index"/> after reading the repository's folders again, as Triton's index does: a model folder that no
    /// sync has loaded yet (new since the last poll, or polling is off) is listed too, with
    /// <see cref="ModelStatus.NotLoadedReason"/> set and its versions unavailable. Nothing is loaded.
    /// </summary>
    public IReadOnlyList<ModelStatus> Rescan()
    {
        var index = Index();
        var snapshot = RepositoryScanner.Scan(_options.Root);
        if (snapshot.Error is not null)
        {
            return index;
        }

        List<ModelStatus>? list = null;
        foreach (var directory in snapshot.Models)
        {
            if (_models.ContainsKey(directory.Name) || _unloaded.ContainsKey(directory.Name))
            {
                continue;
            }

            var reason = directory.ReadError
                ?? $"not loaded yet: the folder appeared after the last scan; it loads at the next poll (--poll-seconds), or now with POST /v2/repository/models/{directory.Name}/load";
            var versions = new List<ModelVersionStatus>(directory.Versions.Count);
            foreach (var version in directory.Versions)
            {
                versions.Add(new ModelVersionStatus(directory.Name, version.Version, ModelVersionState.Unavailable, reason));
            }

            versions.Sort(static (a, b) => b.Version.CompareTo(a.Version));
            (list ??= [.. index]).Add(new ModelStatus(directory.Name, ModelConfig.Default, null, unloaded: false, versions) { NotLoadedReason = reason });
        }

        if (list is null)
        {
            return index;
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    /// <summary>The ready versions of a model, highest first (empty when it is unknown).</summary>
    public IReadOnlyList<LoadedModel> ReadyVersions(string name) =>
        _models.TryGetValue(name, out var entry) ? entry.ReadyVersions() : [];

    /// <summary>The names of the models the manager knows, sorted.</summary>
    public IReadOnlyList<string> ModelNames()
    {
        var names = new List<string>(_models.Keys);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>The state of one model, or null when it is unknown.</summary>
    public ModelStatus? GetStatus(string name) => _models.TryGetValue(name, out var entry) ? entry.Status(_repositoryError) : null;

    /// <summary>Why the last scan could not list the repository root, or null; the loaded versions keep serving meanwhile.</summary>
    public string? RepositoryError => _repositoryError;

    /// <summary>
    /// Triton's strict readiness: ready once the repository has been read and every model that should be served has a
    /// ready version. A model whose load failed (a broken config, a version that failed, a directory that cannot be read)
    /// with no ready version makes the server not ready; models unloaded through the repository API do not count.
    /// </summary>
    public RepositoryReadiness Readiness()
    {
        var notReady = new List<NotReadyModel>();
        foreach (var entry in _models.Values)
        {
            if (entry.NotReadyReason(_repositoryError) is { } reason)
            {
                notReady.Add(new NotReadyModel(entry.Name, reason));
            }
        }

        notReady.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        string? error = null;
        if (!IsInitialized)
        {
            error = "the model repository is still being loaded";
        }
        else if (!Volatile.Read(ref _scanned))
        {
            // Never read at all: there is no knowing what should be served.
            error = _repositoryError;
        }

        return new RepositoryReadiness(error is null && notReady.Count == 0, error, notReady);
    }

    /// <summary>Whether <see cref="Readiness"/> is ready.</summary>
    public bool AllReady() => Readiness().IsReady;

    /// <summary>Retires every version, waiting for in-flight requests.</summary>
    public async ValueTask DisposeAsync()
    {
        await _syncLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            foreach (var entry in _models.Values)
            {
                await entry.RetireAllAsync().ConfigureAwait(false);
            }

            _models.Clear();
            _metrics.Dispose();
        }
        finally
        {
            _syncLock.Release();
        }
    }

    private IEnumerable<Measurement<long>> ObservePending()
    {
        foreach (var entry in _models.Values)
        {
            foreach (var model in entry.ReadyVersions())
            {
                yield return new Measurement<long>(
                    model.Batcher?.QueuedRequests ?? 0,
                    new KeyValuePair<string, object?>("model", model.Name),
                    new KeyValuePair<string, object?>("version", model.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveStates()
    {
        foreach (var status in Index())
        {
            foreach (var version in status.Versions)
            {
                yield return new Measurement<long>(
                    1,
                    new KeyValuePair<string, object?>("model", status.Name),
                    new KeyValuePair<string, object?>("version", version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new KeyValuePair<string, object?>("state", version.State.ToString().ToUpperInvariant()));
            }
        }
    }

    private async Task SyncModelAsync(ModelEntry entry, ModelDirectory directory, bool requireStable, CancellationToken cancellationToken)
    {
        if (!entry.RefreshConfig(directory, _logger))
        {
            return;
        }

        var config = entry.Config;
        var candidates = new List<long>();
        var present = new HashSet<long>();
        var hold = new HashSet<long>();
        foreach (var version in directory.Versions)
        {
            present.Add(version.Version);
            if (!version.Fingerprint.HasModelFile)
            {
                continue;
            }

            // A version whose files changed since the last poll may still be copying: wait for the next one. One that is
            // already known keeps its place (and whatever it serves) meanwhile.
            if (requireStable && !entry.IsStable(version))
            {
                if (!entry.HasSlot(version.Version))
                {
                    continue;
                }

                hold.Add(version.Version);
            }

            candidates.Add(version.Version);
        }

        // A version that exists but cannot be read is neither loaded nor taken as removed: it keeps its state.
        foreach (var (version, reason) in directory.UnreadableVersions)
        {
            present.Add(version);
            if (entry.UnreadableReason(version) != reason)
            {
                Log.VersionUnreadable(_logger, entry.Name, version, reason);
            }

            if (entry.HasSlot(version))
            {
                hold.Add(version);
                candidates.Add(version);
            }
        }

        entry.SetUnreadableVersions(directory.UnreadableVersions);
        entry.RememberFingerprints(directory);
        candidates.Sort();
        var wanted = config.VersionPolicy.Select(candidates);
        foreach (var version in wanted)
        {
            if (hold.Contains(version))
            {
                continue;
            }

            var dir = Find(directory, version);
            if (!entry.NeedsLoad(version, dir.Fingerprint, config))
            {
                continue;
            }

            entry.SetLoading(version);
            Log.VersionLoading(_logger, entry.Name, version);
            var result = await _loader.LoadAsync(entry.Name, dir, config, cancellationToken).ConfigureAwait(false);
            if (result.Model is { } model)
            {
                Log.VersionReady(_logger, entry.Name, version);
                await entry.SwapInAsync(model, dir.Fingerprint).ConfigureAwait(false);
            }
            else
            {
                Log.VersionFailed(_logger, entry.Name, version, result.Error!);
                await entry.SetUnavailableAsync(version, dir.Fingerprint, result.Error!).ConfigureAwait(false);
            }
        }

        // A version leaves service only once the versions replacing it are ready, or when its directory is gone.
        await entry.RetireReplacedAsync(wanted, present, _logger).ConfigureAwait(false);
    }

    private static VersionDirectory Find(ModelDirectory directory, long version)
    {
        foreach (var v in directory.Versions)
        {
            if (v.Version == version)
            {
                return v;
            }
        }

        throw new InvalidOperationException($"version {version} vanished from the scan");
    }

    private void UpdateDefaultModel()
    {
        var defaults = new List<string>();
        foreach (var entry in _models.Values)
        {
            if (entry.Config.IsDefault)
            {
                defaults.Add(entry.Name);
            }
        }

        defaults.Sort(StringComparer.Ordinal);
        string? problem = null;
        if (defaults.Count > 1)
        {
            problem = SeveralDefaultsMessage(defaults);
            if (problem != DefaultModelProblem)
            {
                Log.SeveralDefaults(_logger, problem);
            }
        }
        else if (defaults.Count == 0)
        {
            foreach (var (name, wasDefault) in _unloaded)
            {
                if (wasDefault)
                {
                    problem = $"the default model '{name}' is unloaded; load it with POST /v2/repository/models/{name}/load";
                    break;
                }
            }
        }

        DefaultModelProblem = problem;
        DefaultModel = defaults.Count == 1 ? defaults[0] : null;
    }

    /// <summary>"models 'a' and 'b' are both marked default: true", or "models 'a', 'b' and 'c' are all ...".</summary>
    internal static string SeveralDefaultsMessage(IReadOnlyList<string> names)
    {
        var text = new System.Text.StringBuilder("models ");
        for (var i = 0; i < names.Count; i++)
        {
            text.Append(i == 0 ? string.Empty : i == names.Count - 1 ? " and " : ", ").Append('\'').Append(names[i]).Append('\'');
        }

        return text.Append(names.Count == 2 ? " are both" : " are all").Append(" marked default: true in their model.yaml; mark only one").ToString();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Model repository: {Problem}")]
        public static partial void RepositoryProblem(ILogger logger, string problem);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Loading {Model} version {Version}")]
        public static partial void VersionLoading(ILogger logger, string model, long version);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "{Model} version {Version} is ready")]
        public static partial void VersionReady(ILogger logger, string model, long version);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "{Model} version {Version} is unavailable: {Reason}")]
        public static partial void VersionFailed(ILogger logger, string model, long version, string reason);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "{Model} was removed from the repository")]
        public static partial void ModelRemoved(ILogger logger, string model);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "{Model} was unloaded")]
        public static partial void ModelUnloaded(ILogger logger, string model);

        [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "POST /predict has no default model: {Problem}")]
        public static partial void SeveralDefaults(ILogger logger, string problem);

        [LoggerMessage(EventId = 1107, Level = LogLevel.Error, Message = "Cannot read the model repository; every loaded version keeps serving: {Reason}")]
        public static partial void ScanFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 1108, Level = LogLevel.Error, Message = "{Model}: cannot read its directory; its loaded versions keep serving: {Reason}")]
        public static partial void ModelUnreadable(ILogger logger, string model, string reason);

        [LoggerMessage(EventId = 1109, Level = LogLevel.Error, Message = "{Model} version {Version}: cannot read its directory; it keeps its state: {Reason}")]
        public static partial void VersionUnreadable(ILogger logger, string model, long version, string reason);
    }
}
