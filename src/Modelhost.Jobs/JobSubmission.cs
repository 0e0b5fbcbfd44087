using System.Text.Json.Nodes;

namespace Modelhost.Jobs;

/// <summary>What to run: the input of <see cref="JobStore.SubmitAsync"/>.</summary>
public sealed class JobSubmission
{
    /// <summary>The default of <see cref="MaxAttempts"/>.</summary>
    public const int DefaultMaxAttempts = 3;

    /// <summary>What the job does: the <see cref="Workers.IJobHandler.Kind"/> that runs it (1 to 100 characters).</summary>
    public required string Kind { get; init; }

    /// <summary>The queue to run on: lowercase letters, digits, '-' and '_', up to 64 characters.</summary>
    public string Queue { get; init; } = JobQueues.Training;

    /// <summary>The handler's input; null is stored as JSON null.</summary>
    public JsonNode? Payload { get; init; }

    /// <summary>How many starts the job gets before it is dead; at least 1.</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>Jobs that must succeed first; each must exist.</summary>
    public IReadOnlyList<long> DependsOn { get; init; } = [];

    /// <summary>When set, submitting again with the same key returns the first job (whatever the rest of the submission says).</summary>
    public string? IdempotencyKey { get; init; }
}
