using System.Diagnostics;

namespace Modelhost.Jobs.Workers;

/// <summary>The job workers' spans, on the <see cref="ActivitySource"/> named <see cref="SourceName"/>: one per job attempt.</summary>
public static class JobTracing
{
    /// <summary>The activity source's name.</summary>
    public const string SourceName = "Modelhost.Jobs";

    internal static readonly ActivitySource Source = new(SourceName);
}
