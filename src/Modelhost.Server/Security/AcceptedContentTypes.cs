using Microsoft.AspNetCore.Http.Metadata;

namespace Modelhost.Server.Security;

/// <summary>The request body types a route reads, as endpoint metadata (the Content-Type guard and API docs read it).</summary>
internal sealed class AcceptedContentTypes : IAcceptsMetadata
{
    public AcceptedContentTypes(params string[] contentTypes)
    {
        ContentTypes = contentTypes;
    }

    public IReadOnlyList<string> ContentTypes { get; }

    public Type? RequestType => null;

    public bool IsOptional => false;
}
