using System.Diagnostics;

namespace Modelhost.Core.Telemetry;

/// <summary>
/// Core's spans, on the <see cref="ActivitySource"/> named <see cref="SourceName"/>: a request's wait in its model's
/// queue (a child of the request's span), each batch execution (a span of its own, linked to every request it
/// answers) and the engine's run inside it. Without a listener nothing is created or allocated.
/// </summary>
public static class CoreTracing
{
    /// <summary>The activity source's name.</summary>
    public const string SourceName = "Modelhost.Core";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>A <see cref="TimeProvider"/> timestamp as a UTC time, for spans that start or end in the past.</summary>
    internal static DateTimeOffset ToTime(TimeProvider timeProvider, long timestamp) =>
        timeProvider.GetUtcNow() - timeProvider.GetElapsedTime(timestamp);
}
