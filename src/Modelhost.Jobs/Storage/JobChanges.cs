namespace Modelhost.Jobs.Storage;

/// <summary>What one write transaction changed, collected while it runs and published once it committed.</summary>
internal sealed class JobChanges
{
    public HashSet<long> Jobs { get; } = [];

    public HashSet<string> Queues { get; } = new(StringComparer.Ordinal);

    public HashSet<long> Cancels { get; } = [];
}
