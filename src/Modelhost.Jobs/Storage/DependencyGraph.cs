namespace Modelhost.Jobs.Storage;

/// <summary>
/// What a job's end means for the jobs that depend on it, inside the transaction that ended it.
/// Invariant: a dependent is <c>waiting</c> until every dependency succeeded (then <c>queued</c>), and <c>cancelled</c> with
/// <c>blocked_by</c> naming a dependency that is dead or cancelled. Dependents are locked (ORDER BY id, FOR UPDATE) before
/// their dependencies are examined, so two dependencies ending at once on PostgreSQL cannot both miss the moment their
/// common dependent became ready: the second waits for the first's commit, then sees it.
/// </summary>
internal static class DependencyGraph
{
    /// <summary>After <paramref name="parentId"/> succeeded: queues the waiting dependents whose dependencies all succeeded.</summary>
    public static async Task PromoteAsync(SqlSession session, long parentId)
    {
        var children = await LockWaitingChildrenAsync(session, parentId).ConfigureAwait(false);
        if (children.Count == 0)
        {
            return;
        }

        var (list, parameters) = Sql.In("c", children);
        using var promote = session.Command(
            $"""
            UPDATE jobs SET state = 'queued', next_run_at = @now, updated_at = @now
            WHERE id IN ({list}) AND state = 'waiting'
              AND NOT EXISTS (SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.parent_id
                              WHERE d.job_id = jobs.id AND p.state <> 'succeeded')
            RETURNING id, queue
            """,
            [.. parameters, ("@now", session.Now)]);
        foreach (var (id, queue) in await session.QueryAsync(promote, r => (r.GetInt64(0), r.GetString(1))).ConfigureAwait(false))
        {
            session.Changes.Jobs.Add(id);
            session.Changes.Queues.Add(queue);
        }
    }

    /// <summary>After <paramref name="parentId"/> ended dead or cancelled: cancels its waiting dependents, transitively.</summary>
    /// <returns>How many jobs were cancelled.</returns>
    public static async Task<int> CancelDependentsAsync(SqlSession session, long parentId, JobState parentState)
    {
        var cancelled = 0;
        var frontier = new Queue<long>();
        frontier.Enqueue(parentId);
        while (frontier.TryDequeue(out var parent))
        {
            var reason = parent == parentId
                ? Reason(parentId, parentState)
                : $"Cancelled because job {JobRows.Id(parent)}, which it depends on, was cancelled (job {JobRows.Id(parentId)} {Describe(parentState)}).";
            foreach (var child in await LockWaitingChildrenAsync(session, parent).ConfigureAwait(false))
            {
                await session.ExecuteAsync(
                    """
                    UPDATE jobs SET state = 'cancelled', error = @error, blocked_by = @parent, finished_at = @now, updated_at = @now
                    WHERE id = @id
                    """,
                    ("@error", reason),
                    ("@parent", parent),
                    ("@now", session.Now),
                    ("@id", child)).ConfigureAwait(false);
                session.Changes.Jobs.Add(child);
                frontier.Enqueue(child);
                cancelled++;
            }
        }

        return cancelled;
    }

    /// <summary>
    /// After <paramref name="jobId"/> was retried: dependents cancelled because of it wait again, transitively, unless another
    /// of their dependencies is still dead or cancelled (they then stay cancelled, blocked by that one instead).
    /// </summary>
    public static async Task ReviveDependentsAsync(SqlSession session, long jobId)
    {
        var frontier = new Queue<long>();
        frontier.Enqueue(jobId);
        while (frontier.TryDequeue(out var parent))
        {
            var children = await session.QueryAsync(
                $"SELECT id FROM jobs WHERE state = 'cancelled' AND blocked_by = @parent ORDER BY id{session.Database.ForUpdate}",
                r => r.GetInt64(0),
                ("@parent", parent)).ConfigureAwait(false);
            foreach (var child in children)
            {
                var blockers = await session.QueryAsync(
                    $"""
                    SELECT id, state FROM jobs
                    WHERE id IN (SELECT parent_id FROM job_dependencies WHERE job_id = @child) AND state IN ('dead', 'cancelled')
                    ORDER BY id{session.Database.ForShare}
                    """,
                    r => (Id: r.GetInt64(0), State: JobStateNames.Parse(r.GetString(1))),
                    ("@child", child)).ConfigureAwait(false);
                if (blockers.Count > 0)
                {
                    await session.ExecuteAsync(
                        "UPDATE jobs SET blocked_by = @blocker, error = @error, updated_at = @now WHERE id = @id",
                        ("@blocker", blockers[0].Id),
                        ("@error", Reason(blockers[0].Id, blockers[0].State)),
                        ("@now", session.Now),
                        ("@id", child)).ConfigureAwait(false);
                }
                else
                {
                    await session.ExecuteAsync(
                        """
                        UPDATE jobs SET state = 'waiting', error = NULL, blocked_by = NULL, finished_at = NULL, updated_at = @now
                        WHERE id = @id
                        """,
                        ("@now", session.Now),
                        ("@id", child)).ConfigureAwait(false);
                    frontier.Enqueue(child);
                }

                session.Changes.Jobs.Add(child);
            }
        }
    }

    /// <summary>Why a job is cancelled when its dependency <paramref name="parentId"/> is in <paramref name="parentState"/>.</summary>
    public static string Reason(long parentId, JobState parentState) =>
        $"Cancelled because job {JobRows.Id(parentId)}, which it depends on, {Describe(parentState)}.";

    private static string Describe(JobState state) => state == JobState.Dead ? "is dead" : "was cancelled";

    private static Task<List<long>> LockWaitingChildrenAsync(SqlSession session, long parentId) =>
        session.QueryAsync(
            $"""
            SELECT id FROM jobs
            WHERE state = 'waiting' AND id IN (SELECT job_id FROM job_dependencies WHERE parent_id = @parent)
            ORDER BY id{session.Database.ForUpdate}
            """,
            r => r.GetInt64(0),
            ("@parent", parentId));
}
