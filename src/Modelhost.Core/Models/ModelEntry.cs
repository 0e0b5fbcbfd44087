using Microsoft.Extensions.Logging;
using Modelhost.Core.Configuration;
using Modelhost.Core.Repository;

namespace Modelhost.Core.Models;

/// <summary>
/// One model's versions and config. Writes happen under the manager's sync lock; the request path reads only
/// the immutable <see cref="_ready"/> array and the slot table under a short lock.
/// </summary>
internal sealed partial class ModelEntry
{
    private readonly Dictionary<long, Slot> _slots = [];
    private Dictionary<long, VersionFingerprint> _lastSeen = [];
    private LoadedModel[] _ready = [];
    private IReadOnlyDictionary<long, string> _unreadable = new Dictionary<long, string>();
    private string? _readError;
    private object? _configFingerprint = NoConfigYet;
    private static readonly object NoConfigYet = new();

    public ModelEntry(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public ModelConfig Config { get; private set; } = ModelConfig.Default;

    public string? ConfigError { get; private set; }

    /// <summary>
    /// Why the last scan could not read this model's directory, its config or some of its versions, or null.
    /// Reading errors never retire a version; they are shown in the index and the readiness answer while they last.
    /// </summary>
    public string? ReadError
    {
        get => Volatile.Read(ref _readError);
        set => Volatile.Write(ref _readError, value);
    }

    /// <summary>Reads model.yaml when it changed; false when it is broken (the versions already served stay).</summary>
    public bool RefreshConfig(ModelDirectory directory, ILogger logger)
    {
        object? fingerprint = directory.ConfigFingerprint;
        if (Equals(fingerprint, _configFingerprint))
        {
            return ConfigError is null;
        }

        _configFingerprint = fingerprint;
        if (directory.ConfigPath is null)
        {
            Config = ModelConfig.Default;
            ConfigError = null;
            return true;
        }

        try
        {
            Config = ModelConfigLoader.Load(directory.ConfigPath);
            ConfigError = null;
            return true;
        }
        catch (ModelConfigException ex) when (ex.InnerException is IOException or UnauthorizedAccessException)
        {
            // Not a broken config: the file could not be read this time. Keep the config in force and look again next poll.
            _configFingerprint = NoConfigYet;
            ReadError = ex.Message;
            return false;
        }
        catch (ModelConfigException ex)
        {
            ConfigError = ex.Message;
            LogConfigError(logger, Name, ex.Message);
            return false;
        }
    }

    public void ForgetConfig() => _configFingerprint = NoConfigYet;

    public bool IsStable(VersionDirectory version) =>
        _lastSeen.TryGetValue(version.Version, out var previous) && previous.Equals(version.Fingerprint);

    public void RememberFingerprints(ModelDirectory directory)
    {
        var seen = new Dictionary<long, VersionFingerprint>(directory.Versions.Count);
        foreach (var version in directory.Versions)
        {
            seen[version.Version] = version.Fingerprint;
        }

        _lastSeen = seen;
    }

    /// <summary>The versions that exist but could not be read in the last scan, with why.</summary>
    public void SetUnreadableVersions(IReadOnlyDictionary<long, string> unreadable)
    {
        lock (_slots)
        {
            _unreadable = unreadable;
        }
    }

    /// <summary>Why the last scan could not read a version, or null.</summary>
    public string? UnreadableReason(long version)
    {
        lock (_slots)
        {
            return _unreadable.TryGetValue(version, out var reason) ? reason : null;
        }
    }

    public bool HasSlot(long version)
    {
        lock (_slots)
        {
            return _slots.ContainsKey(version);
        }
    }

    public bool NeedsLoad(long version, VersionFingerprint fingerprint, ModelConfig config)
    {
        lock (_slots)
        {
            if (!_slots.TryGetValue(version, out var slot))
            {
                return true;
            }

            return !slot.Fingerprint.Equals(fingerprint) || !ReferenceEquals(slot.Config, config);
        }
    }

    public void SetLoading(long version)
    {
        lock (_slots)
        {
            if (_slots.TryGetValue(version, out var slot) && slot.Model is not null)
            {
                // A reload keeps the old model serving until the new one is ready.
                return;
            }

            _slots[version] = new Slot(ModelVersionState.Loading, null, null, default, Config);
        }
    }

    public Task SwapInAsync(LoadedModel model, VersionFingerprint fingerprint)
    {
        LoadedModel? old;
        lock (_slots)
        {
            old = _slots.TryGetValue(model.Version, out var slot) ? slot.Model : null;
            _slots[model.Version] = new Slot(ModelVersionState.Ready, null, model, fingerprint, model.Config);
            PublishReady();
        }

        // In-flight requests finish on the old version; its session goes once they have.
        if (old is not null)
        {
            _ = old.RetireAsync();
        }

        return Task.CompletedTask;
    }

    public Task SetUnavailableAsync(long version, VersionFingerprint fingerprint, string reason)
    {
        lock (_slots)
        {
            if (_slots.TryGetValue(version, out var slot) && slot.Model is not null)
            {
                // A failed reload leaves the working version in place; the failure is kept as its reason.
                _slots[version] = slot with { Reason = reason, Fingerprint = fingerprint, Config = Config };
                return Task.CompletedTask;
            }

            _slots[version] = new Slot(ModelVersionState.Unavailable, reason, null, fingerprint, Config);
            PublishReady();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Retires the versions the policy no longer wants, but only once enough wanted versions are ready to replace them:
    /// while a wanted version failed (or waits), the highest ready versions still on disk keep serving in its place.
    /// A version whose directory is gone (<paramref name="present"/> lacks it) is retired regardless.
    /// </summary>
    public Task RetireReplacedAsync(IReadOnlyList<long> wanted, IReadOnlySet<long> present, ILogger logger)
    {
        var keep = new HashSet<long>(wanted);
        lock (_slots)
        {
            var shortfall = 0;
            foreach (var version in wanted)
            {
                if (!_slots.TryGetValue(version, out var slot) || slot.Model is null)
                {
                    shortfall++;
                }
            }

            // _ready is sorted highest first, so the newest working versions stand in.
            foreach (var model in Volatile.Read(ref _ready))
            {
                if (shortfall == 0)
                {
                    break;
                }

                if (present.Contains(model.Version) && keep.Add(model.Version))
                {
                    shortfall--;
                }
            }
        }

        return RetireAllExceptAsync(keep, logger);
    }

    public Task RetireAllAsync() => RetireAllExceptAsync(new HashSet<long>(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    private async Task RetireAllExceptAsync(HashSet<long> keep, ILogger logger)
    {
        List<LoadedModel>? retired = null;
        lock (_slots)
        {
            var remove = new List<long>();
            foreach (var (version, slot) in _slots)
            {
                if (!keep.Contains(version))
                {
                    remove.Add(version);
                    if (slot.Model is not null)
                    {
                        (retired ??= []).Add(slot.Model);
                    }
                }
            }

            foreach (var version in remove)
            {
                _slots.Remove(version);
                LogVersionUnloaded(logger, Name, version);
            }

            PublishReady();
        }

        if (retired is not null)
        {
            foreach (var model in retired)
            {
                await model.RetireAsync().ConfigureAwait(false);
            }
        }
    }

    public LoadedModel Resolve(long? version)
    {
        if (version is null)
        {
            var ready = Volatile.Read(ref _ready);
            if (ready.Length > 0)
            {
                return ready[0];
            }
        }

        lock (_slots)
        {
            if (version is { } v)
            {
                if (!_slots.TryGetValue(v, out var slot))
                {
                    throw new InferenceException(InferenceErrorKind.NotFound, $"model '{Name}' has no version {v}{ServedVersions()}");
                }

                return slot.Model ?? throw new InferenceException(
                    InferenceErrorKind.Unavailable,
                    slot.State == ModelVersionState.Loading
                        ? $"model '{Name}' version {v} is still loading"
                        : $"model '{Name}' version {v} is unavailable: {slot.Reason}");
            }

            if (ConfigError is not null)
            {
                throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{Name}' is unavailable: {ConfigError}");
            }

            foreach (var slot in _slots.Values)
            {
                if (slot.State == ModelVersionState.Loading)
                {
                    throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{Name}' is still loading");
                }
            }

            foreach (var (failed, slot) in _slots)
            {
                throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{Name}' has no ready version; version {failed} is unavailable: {slot.Reason}");
            }

            if ((ReadError ?? FirstUnreadable()) is { } readError)
            {
                throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{Name}' is unavailable: {readError}");
            }

            throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{Name}' has no version to serve: add {Name}/<version>/model.onnx");
        }
    }

    public IReadOnlyList<LoadedModel> ReadyVersions() => Volatile.Read(ref _ready);

    /// <summary>
    /// Why this model cannot serve, or null when it has a ready version (or nothing to serve at all: a model
    /// directory without versions is not a failed load).
    /// </summary>
    public string? NotReadyReason(string? repositoryError)
    {
        if (Volatile.Read(ref _ready).Length > 0)
        {
            return null;
        }

        lock (_slots)
        {
            if (ConfigError is not null)
            {
                return ConfigError;
            }

            if ((ReadError ?? repositoryError) is { } readError)
            {
                return readError;
            }

            foreach (var (version, slot) in _slots)
            {
                if (slot.State == ModelVersionState.Loading)
                {
                    return $"version {version} is still loading";
                }
            }

            foreach (var (version, slot) in _slots)
            {
                return $"version {version} is unavailable: {slot.Reason}";
            }

            return FirstUnreadable();
        }
    }

    private string? FirstUnreadable()
    {
        foreach (var (_, reason) in _unreadable)
        {
            return reason;
        }

        return null;
    }

    /// <summary>Every version's state; a version without a reason of its own shows why reading it (or the model) failed.</summary>
    public ModelStatus Status(string? repositoryError)
    {
        lock (_slots)
        {
            var readError = ReadError ?? repositoryError;
            var versions = new List<ModelVersionStatus>(_slots.Count + _unreadable.Count);
            foreach (var (version, slot) in _slots)
            {
                var reason = slot.Reason ?? (_unreadable.TryGetValue(version, out var unreadable) ? unreadable : readError);
                versions.Add(new ModelVersionStatus(Name, version, slot.State, reason));
            }

            foreach (var (version, reason) in _unreadable)
            {
                if (!_slots.ContainsKey(version))
                {
                    versions.Add(new ModelVersionStatus(Name, version, ModelVersionState.Unavailable, reason));
                }
            }

            versions.Sort(static (a, b) => b.Version.CompareTo(a.Version));
            return new ModelStatus(Name, Config, ConfigError, unloaded: false, versions, readError);
        }
    }

    private string ServedVersions()
    {
        var ready = Volatile.Read(ref _ready);
        if (ready.Length == 0)
        {
            return string.Empty;
        }

        var names = new string[ready.Length];
        for (var i = 0; i < ready.Length; i++)
        {
            names[i] = ready[i].Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return "; ready versions: " + string.Join(", ", names);
    }

    private void PublishReady()
    {
        var ready = new List<LoadedModel>();
        foreach (var slot in _slots.Values)
        {
            if (slot.Model is not null)
            {
                ready.Add(slot.Model);
            }
        }

        ready.Sort(static (a, b) => b.Version.CompareTo(a.Version));
        Volatile.Write(ref _ready, ready.ToArray());
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Error, Message = "{Model}: model.yaml is invalid: {Reason}")]
    private static partial void LogConfigError(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "{Model} version {Version} unloaded")]
    private static partial void LogVersionUnloaded(ILogger logger, string model, long version);

    private sealed record Slot(ModelVersionState State, string? Reason, LoadedModel? Model, VersionFingerprint Fingerprint, ModelConfig Config);
}
