using System.Threading.Channels;

namespace Modelhost.Jobs.Storage;

/// <summary>
/// A wake-up flag for one subscriber of <see cref="JobNotifier"/>: setting it twice before the subscriber looks counts once,
/// because subscribers re-read the database rather than trusting the notification's content.
/// </summary>
internal sealed class NotificationSignal : IDisposable
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly Action<NotificationSignal> _unsubscribe;

    public NotificationSignal(string topic, Action<NotificationSignal> unsubscribe)
    {
        Topic = topic;
        _unsubscribe = unsubscribe;
    }

    public string Topic { get; }

    public void Set() => _channel.Writer.TryWrite(true);

    /// <summary>Waits until the signal is set or <paramref name="timeout"/> passes on <paramref name="timeProvider"/>'s clock.</summary>
    /// <returns>True when the signal was set.</returns>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (_channel.Reader.TryRead(out _))
        {
            return true;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var read = _channel.Reader.WaitToReadAsync(stop.Token).AsTask();
        var delay = Task.Delay(timeout, timeProvider, stop.Token);
        await Task.WhenAny(read, delay).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return _channel.Reader.TryRead(out _);
    }

    public void Dispose() => _unsubscribe(this);
}
