namespace Modelhost.Jobs.Storage;

/// <summary>
/// The schema, as an append-only list of migrations: a released migration never changes, a change is a new one.
/// Times are Unix milliseconds (UTC) in both engines, so one statement text serves both and compares integers.
/// </summary>
internal static class SchemaMigrations
{
    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "jobs, dependencies and logs", """
            CREATE TABLE jobs (
                id {id},
                kind TEXT NOT NULL,
                queue TEXT NOT NULL,
                payload TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts {int64} NOT NULL DEFAULT 0,
                max_attempts {int64} NOT NULL,
                next_run_at {int64} NOT NULL,
                lease_owner TEXT NULL,
                lease_expires_at {int64} NULL,
                cancel_requested {int64} NOT NULL DEFAULT 0,
                progress {int64} NOT NULL DEFAULT 0,
                progress_message TEXT NULL,
                result TEXT NULL,
                error TEXT NULL,
                blocked_by {int64} NULL,
                idempotency_key TEXT NULL UNIQUE,
                created_at {int64} NOT NULL,
                started_at {int64} NULL,
                finished_at {int64} NULL,
                updated_at {int64} NOT NULL
            );
            CREATE INDEX jobs_claim ON jobs (queue, state, next_run_at);
            CREATE INDEX jobs_state ON jobs (state, id);
            CREATE INDEX jobs_blocked_by ON jobs (blocked_by);
            CREATE TABLE job_dependencies (
                job_id {int64} NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                parent_id {int64} NOT NULL REFERENCES jobs (id),
                PRIMARY KEY (job_id, parent_id)
            );
            CREATE INDEX job_dependencies_parent ON job_dependencies (parent_id);
            CREATE TABLE job_logs (
                id {id},
                job_id {int64} NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                at {int64} NOT NULL,
                line TEXT NOT NULL
            );
            CREATE INDEX job_logs_job ON job_logs (job_id, id);
            """),
        new(2, "the store's identity", """
            CREATE TABLE job_store (
                singleton {int64} PRIMARY KEY CHECK (singleton = 1),
                store_id TEXT NOT NULL,
                created_at {int64} NOT NULL
            );
            """),
    ];
}
