namespace Modelhost.Jobs.Workers;

/// <summary>How many workers a <see cref="JobWorkerPool"/> runs per queue, and the timing of leases, polling and shutdown.</summary>
public sealed class JobWorkerOptions
{
    /// <summary>Worker count per queue name; by default one for <c>training</c> and two for <c>prediction</c>. Zero runs none.</summary>
    public IDictionary<string, int> Queues { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [JobQueues.Training] = 1,
        [JobQueues.Prediction] = 2,
    };

    /// <summary>How long a claim holds a job without a heartbeat; after that another worker may take it over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running job's lease is renewed and its cancel flag read; well under <see cref="LeaseDuration"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle worker looks for due jobs that no notification in this process announced.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long <see cref="JobWorkerPool.StopAsync"/> lets running jobs finish before it cancels them.</summary>
    /// <remarks>
    /// With <see cref="CancellationGrace"/>, keep it under the host's own shutdown timeout (30 s by default in ASP.NET Core);
    /// when the host's deadline comes first, unfinished jobs are released at once.
    /// </remarks>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>After cancelling at shutdown, how long a handler gets to stop before its job is released anyway.</summary>
    public TimeSpan CancellationGrace { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        foreach (var (queue, count) in Queues)
        {
            if (count < 0)
            {
                throw new ArgumentException($"The worker count of queue '{queue}' is negative.");
            }
        }

        if (LeaseDuration <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval >= LeaseDuration)
        {
            throw new ArgumentException("The heartbeat interval must be positive and shorter than the lease duration.");
        }

        if (PollInterval <= TimeSpan.Zero || ShutdownTimeout < TimeSpan.Zero || CancellationGrace < TimeSpan.Zero)
        {
            throw new ArgumentException("The poll interval must be positive, the shutdown timeout and cancellation grace not negative.");
        }
    }
}
