namespace Modelhost.Core.Models;

/// <summary>
/// What one run adds to <see cref="ModelStatistics"/>: its requests' times from arrival to answer and in the queue,
/// summed over them, the run's phases, and when it ended.
/// </summary>
internal readonly record struct RunDurations(TimeSpan Requests, TimeSpan Queued, TimeSpan Input, TimeSpan Infer, TimeSpan Output, long EndedMs);
