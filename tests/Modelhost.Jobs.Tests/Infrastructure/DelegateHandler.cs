using System.Text.Json.Nodes;
using Modelhost.Jobs.Workers;

namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>A job handler made of a lambda.</summary>
internal sealed class DelegateHandler : IJobHandler
{
    private readonly Func<JobContext, CancellationToken, Task<JsonNode?>> _handle;

    public DelegateHandler(string kind, Func<JobContext, CancellationToken, Task<JsonNode?>> handle)
    {
        Kind = kind;
        _handle = handle;
    }

    public string Kind { get; }

    public Task<JsonNode?> HandleAsync(JobContext context, CancellationToken cancellationToken) => _handle(context, cancellationToken);
}
