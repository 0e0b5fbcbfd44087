namespace Modelhost.Server.Tests.Monitoring;

/// <summary>
/// Tests that read spans from an <see cref="System.Diagnostics.ActivitySource"/>, whose listeners are process-wide: a
/// job run by a test in another class, in parallel, would land in their exporter with the same job ids (every test
/// has its own database, so ids start at 1 in each). They run after the parallel tests, one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideListeners
{
    public const string Name = "process-wide listeners";
}
