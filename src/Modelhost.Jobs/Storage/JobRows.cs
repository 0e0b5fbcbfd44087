using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace Modelhost.Jobs.Storage;

/// <summary>Reading jobs out of the <c>jobs</c> table, with their dependencies from <c>job_dependencies</c>.</summary>
internal static class JobRows
{
    public const string Columns =
        "id, kind, queue, payload, state, attempts, max_attempts, next_run_at, lease_owner, lease_expires_at, cancel_requested, " +
        "progress, progress_message, result, error, idempotency_key, created_at, started_at, finished_at, updated_at, blocked_by";

    /// <summary>Jobs selected by <paramref name="command"/> (whose text selects <see cref="Columns"/>), dependencies filled in.</summary>
    public static async Task<List<Job>> QueryAsync(SqlSession session, DbCommand command)
    {
        var jobs = await session.QueryAsync(command, Read).ConfigureAwait(false);
        if (jobs.Count == 0)
        {
            return jobs;
        }

        var (ids, parameters) = Sql.In("j", jobs.Select(j => j.Id).ToArray());
        using var dependencies = session.Command($"SELECT job_id, parent_id FROM job_dependencies WHERE job_id IN ({ids}) ORDER BY job_id, parent_id", parameters);
        var pairs = await session.QueryAsync(dependencies, r => (Job: r.GetInt64(0), Parent: r.GetInt64(1))).ConfigureAwait(false);
        if (pairs.Count == 0)
        {
            return jobs;
        }

        var byJob = pairs.GroupBy(p => p.Job).ToDictionary(g => g.Key, g => (IReadOnlyList<long>)g.Select(p => p.Parent).ToArray());
        for (var i = 0; i < jobs.Count; i++)
        {
            if (byJob.TryGetValue(jobs[i].Id, out var parents))
            {
                jobs[i] = jobs[i] with { DependsOn = parents };
            }
        }

        return jobs;
    }

    public static async Task<Job?> GetAsync(SqlSession session, long id)
    {
        using var command = session.Command($"SELECT {Columns} FROM jobs WHERE id = @id", ("@id", id));
        var jobs = await QueryAsync(session, command).ConfigureAwait(false);
        return jobs.Count == 0 ? null : jobs[0];
    }

    /// <summary>The job, its row locked until the transaction ends (on SQLite the whole file already is).</summary>
    public static async Task<Job?> LockAsync(SqlSession session, long id)
    {
        using var command = session.Command($"SELECT {Columns} FROM jobs WHERE id = @id{session.Database.ForUpdate}", ("@id", id));
        var jobs = await QueryAsync(session, command).ConfigureAwait(false);
        return jobs.Count == 0 ? null : jobs[0];
    }

    public static Job Read(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Kind = r.GetString(1),
        Queue = r.GetString(2),
        Payload = ParseJson(r.GetString(3)),
        State = JobStateNames.Parse(r.GetString(4)),
        Attempts = checked((int)r.GetInt64(5)),
        MaxAttempts = checked((int)r.GetInt64(6)),
        NextRunAt = Sql.Time(r.GetInt64(7)),
        LeaseOwner = Sql.NullableString(r, 8),
        LeaseExpiresAt = Sql.Time(Sql.NullableInt64(r, 9)),
        CancelRequested = r.GetInt64(10) != 0,
        Progress = checked((int)r.GetInt64(11)),
        ProgressMessage = Sql.NullableString(r, 12),
        Result = Sql.NullableString(r, 13) is { } result ? ParseJson(result) : null,
        Error = Sql.NullableString(r, 14),
        IdempotencyKey = Sql.NullableString(r, 15),
        CreatedAt = Sql.Time(r.GetInt64(16)),
        StartedAt = Sql.Time(Sql.NullableInt64(r, 17)),
        FinishedAt = Sql.Time(Sql.NullableInt64(r, 18)),
        UpdatedAt = Sql.Time(r.GetInt64(19)),
        BlockedBy = Sql.NullableInt64(r, 20),
    };

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static JsonElement ParseJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
