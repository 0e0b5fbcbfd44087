namespace Modelhost.Jobs.Storage;

/// <summary>
/// In-process wake-ups after a store commits a change: watchers of a job, idle workers of a queue, and the worker running
/// a job whose cancel was asked for. Other processes learn the same things by polling, so a notification only ever makes
/// something happen sooner.
/// </summary>
internal sealed class JobNotifier
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<NotificationSignal>> _subscribers = new(StringComparer.Ordinal);

    public NotificationSignal SubscribeJob(long jobId) => Subscribe(JobTopic(jobId));

    public NotificationSignal SubscribeQueue(string queue) => Subscribe(QueueTopic(queue));

    public NotificationSignal SubscribeCancel(long jobId) => Subscribe(CancelTopic(jobId));

    public void Publish(JobChanges changes)
    {
        foreach (var jobId in changes.Jobs)
        {
            Set(JobTopic(jobId));
        }

        foreach (var queue in changes.Queues)
        {
            Set(QueueTopic(queue));
        }

        foreach (var jobId in changes.Cancels)
        {
            Set(CancelTopic(jobId));
        }
    }

    private static string JobTopic(long jobId) => "job:" + jobId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string QueueTopic(string queue) => "queue:" + queue;

    private static string CancelTopic(long jobId) => "cancel:" + jobId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private NotificationSignal Subscribe(string topic)
    {
        var signal = new NotificationSignal(topic, Unsubscribe);
        lock (_lock)
        {
            if (!_subscribers.TryGetValue(topic, out var list))
            {
                list = [];
                _subscribers[topic] = list;
            }

            list.Add(signal);
        }

        return signal;
    }

    private void Unsubscribe(NotificationSignal signal)
    {
        lock (_lock)
        {
            if (_subscribers.TryGetValue(signal.Topic, out var list) && list.Remove(signal) && list.Count == 0)
            {
                _subscribers.Remove(signal.Topic);
            }
        }
    }

    private void Set(string topic)
    {
        NotificationSignal[] targets;
        lock (_lock)
        {
            if (!_subscribers.TryGetValue(topic, out var list))
            {
                return;
            }

            targets = [.. list];
        }

        foreach (var signal in targets)
        {
            signal.Set();
        }
    }
}
