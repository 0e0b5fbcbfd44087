namespace Modelhost.Server.Tests.Infrastructure;

/// <summary>A response read off a <see cref="RawConnection"/>.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body);
