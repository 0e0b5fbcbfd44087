namespace Modelhost.Jobs;

/// <summary>One line of a job's log.</summary>
/// <param name="Id">Increases with every line written to the database, so it orders a job's lines and resumes a read.</param>
/// <param name="JobId">The job it belongs to.</param>
/// <param name="At">When it was written.</param>
/// <param name="Line">The text, without a line break.</param>
public sealed record JobLogLine(long Id, long JobId, DateTimeOffset At, string Line);
