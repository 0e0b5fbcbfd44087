using System.Globalization;
using System.Text.Json;
using Modelhost.Jobs;

namespace Modelhost.Server.Json;

/// <summary>Writes jobs, log lines and events as the jobs API's snake_case JSON.</summary>
internal static class JobJson
{
    public static void WriteJob(Utf8JsonWriter w, Job job)
    {
        w.WriteStartObject();
        w.WriteNumber("id"u8, job.Id);
        w.WriteString("kind"u8, job.Kind);
        w.WriteString("queue"u8, job.Queue);
        w.WriteString("state"u8, job.State.ToName());
        w.WriteNumber("attempts"u8, job.Attempts);
        w.WriteNumber("max_attempts"u8, job.MaxAttempts);
        w.WriteNumber("progress"u8, job.Progress);
        WriteStringOrNull(w, "progress_message"u8, job.ProgressMessage);
        WriteStringOrNull(w, "error"u8, job.Error);
        w.WritePropertyName("result"u8);
        if (job.Result is { } result)
        {
            result.WriteTo(w);
        }
        else
        {
            w.WriteNullValue();
        }

        w.WritePropertyName("payload"u8);
        job.Payload.WriteTo(w);
        w.WriteStartArray("depends_on"u8);
        foreach (var parent in job.DependsOn)
        {
            w.WriteNumberValue(parent);
        }

        w.WriteEndArray();
        WriteStringOrNull(w, "idempotency_key"u8, job.IdempotencyKey);
        w.WriteBoolean("cancel_requested"u8, job.CancelRequested);
        WriteStringOrNull(w, "lease_owner"u8, job.LeaseOwner);
        WriteTime(w, "created_at"u8, job.CreatedAt);
        WriteTime(w, "started_at"u8, job.StartedAt);
        WriteTime(w, "finished_at"u8, job.FinishedAt);
        WriteTime(w, "updated_at"u8, job.UpdatedAt);
        WriteTime(w, "next_run_at"u8, job.NextRunAt);
        w.WriteEndObject();
    }

    public static void WriteLogLine(Utf8JsonWriter w, JobLogLine line)
    {
        w.WriteStartObject();
        w.WriteNumber("id"u8, line.Id);
        WriteTime(w, "at"u8, line.At);
        w.WriteString("line"u8, line.Line);
        w.WriteEndObject();
    }

    public static void WriteEvent(Utf8JsonWriter w, JobEvent e)
    {
        w.WriteStartObject();
        w.WriteNumber("job_id"u8, e.JobId);
        w.WriteString("kind"u8, EventName(e.Kind));
        WriteTime(w, "at"u8, e.At);
        w.WriteString("state"u8, e.State.ToName());
        w.WriteNumber("attempts"u8, e.Attempts);
        w.WriteNumber("progress"u8, e.Progress);
        WriteStringOrNull(w, "progress_message"u8, e.ProgressMessage);
        if (e.Kind == JobEventKind.State)
        {
            WriteStringOrNull(w, "error"u8, e.Error);
        }

        if (e.Log is { } line)
        {
            w.WriteString("line"u8, line.Line);
        }

        w.WriteEndObject();
    }

    public static string EventName(JobEventKind kind) => kind switch
    {
        JobEventKind.State => "state",
        JobEventKind.Progress => "progress",
        _ => "log",
    };

    private static void WriteStringOrNull(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteTime(Utf8JsonWriter w, ReadOnlySpan<byte> name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            w.WriteString(name, time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
