using System.Text.Json.Nodes;

namespace Modelhost.Jobs.Workers;

/// <summary>Runs the jobs of one kind; register it with a <see cref="JobWorkerPool"/>.</summary>
/// <remarks>
/// Jobs run at least once: after a crash, a lost lease or a shutdown the same job may run again, so a handler must be
/// safe to repeat (write its output under a fresh name, then publish it in one step).
/// </remarks>
public interface IJobHandler
{
    /// <summary>The <see cref="Job.Kind"/> this handler runs, e.g. <c>train</c> or <c>predict</c>.</summary>
    string Kind { get; }

    /// <summary>Runs one attempt of the job; the result is stored as <see cref="Job.Result"/>.</summary>
    /// <param name="context">The job, and where to report progress and log lines.</param>
    /// <param name="cancellationToken">
    /// Signalled when the job is cancelled, when the worker lost its lease, or when the pool shuts down; the handler should
    /// stop soon and throw <see cref="OperationCanceledException"/>.
    /// </param>
    /// <exception cref="PermanentJobFailureException">The job cannot succeed however often it runs; it ends dead at once.</exception>
    /// <remarks>Any other exception fails the attempt; the job runs again after its backoff until it runs out of attempts.</remarks>
    Task<JsonNode?> HandleAsync(JobContext context, CancellationToken cancellationToken);
}
