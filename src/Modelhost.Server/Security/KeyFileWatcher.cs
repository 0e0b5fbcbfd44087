using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modelhost.Server.Configuration;

namespace Modelhost.Server.Security;

/// <summary>
/// Watches the config file and applies its <c>auth.keys</c> without a restart: a key made or revoked with
/// <c>modelhost token</c> takes effect within a second. A file system watcher on the file's folder wakes it at once; since
/// events are missed on some mounts (network file systems; Kubernetes ConfigMaps swap a symlink), it also compares the
/// file's size and time every <see cref="Interval"/>, rarely enough that an idle server is not kept awake. The keys are
/// those of every layer (the file's and the environment's). A file that does not parse keeps the keys in force and is reported.
/// </summary>
internal sealed partial class KeyFileWatcher : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>How long after an event the file is read, so that a write in several steps is read whole.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);

    private readonly KeyRing _keys;
    private readonly string _path;
    private readonly ServerConfigSources _sources;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public KeyFileWatcher(KeyRing keys, ServerOptions options, ILogger<KeyFileWatcher> logger, TimeProvider time)
    {
        _keys = keys;
        _path = Path.GetFullPath(options.Security.ConfigPath ?? throw new ArgumentException("no config path", nameof(options)));
        _sources = (options.Sources ?? new ServerConfigSources()) with { File = _path };
        _logger = logger;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = Stamp();
        using var watcher = Watch();
        try
        {
            while (true)
            {
                var changed = Volatile.Read(ref _changed);
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    await Task.WhenAny(changed.Task, Task.Delay(Interval, _time, wait.Token)).ConfigureAwait(false);
                    await wait.CancelAsync().ConfigureAwait(false);
                }

                stoppingToken.ThrowIfCancellationRequested();
                if (changed.Task.IsCompleted)
                {
                    Interlocked.CompareExchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), changed);
                    await Task.Delay(Settle, _time, stoppingToken).ConfigureAwait(false);
                }

                var now = Stamp();
                if (now == seen)
                {
                    continue;
                }

                seen = now;
                Reload(now.Exists);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
    }

    /// <summary>Events for the file's folder (a ConfigMap replaces a link beside the file); null where none can be had.</summary>
    private FileSystemWatcher? Watch()
    {
        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            FileSystemEventHandler changed = (_, _) => Volatile.Read(ref _changed).TrySetResult();
            watcher.Changed += changed;
            watcher.Created += changed;
            watcher.Deleted += changed;
            watcher.Renamed += (_, _) => Volatile.Read(ref _changed).TrySetResult();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // Out of inotify watches, or a folder that cannot be watched: the poll alone still sees changes.
            return null;
        }
    }

    private void Reload(bool exists)
    {
        if (!exists)
        {
            LogMissing(_logger, _path, _keys.Count);
            return;
        }

        try
        {
            // Every layer again, so that keys set in the environment stay beside the file's.
            var keys = ServerConfigFile.Load(_sources).Security.Keys;
            var before = _keys.Count;
            _keys.Replace(keys);
            LogReloaded(_logger, _path, keys.Count);
            if (keys.Count == 0 && before > 0)
            {
                LogNoKeysLeft(_logger);
            }
        }
        catch (ServerConfigException ex)
        {
            LogInvalid(_logger, ex.Message, _keys.Count);
        }
    }

    private (bool Exists, long Length, DateTime Written) Stamp()
    {
        var info = new FileInfo(_path);
        return info.Exists ? (true, info.Length, info.LastWriteTimeUtc) : (false, 0, default);
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "API keys reloaded from {Path}: {Count} key(s)")]
    private static partial void LogReloaded(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Error, Message = "The config file changed but does not load, so the {Count} key(s) in force are kept: {Reason}")]
    private static partial void LogInvalid(ILogger logger, string reason, int count);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "No API keys remain: loopback clients are served anonymously again, and other clients are refused")]
    private static partial void LogNoKeysLeft(ILogger logger);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "The config file {Path} is gone; the {Count} key(s) in force are kept")]
    private static partial void LogMissing(ILogger logger, string path, int count);
}
