using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Modelhost.Core.Models;
using Modelhost.Jobs;
using Modelhost.Server.Http;
using Modelhost.Server.Json;
using Modelhost.Server.Security;
using Modelhost.Workflows;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// The jobs API: submit (<c>POST /v1/jobs</c>, <c>POST /v1/models/{m}/train</c>), read, list, cancel, retry, logs, and a
/// Server-Sent Events stream of a job's state, progress and log lines.
/// </summary>
internal static class JobsEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, JobsHost jobs, ModelRepositoryManager manager, IHostApplicationLifetime lifetime)
    {
        routes.MapPost("/v1/jobs", context => SubmitAsync(context, jobs, manager, routeModel: null)).Requires(Role.Train);
        routes.MapPost("/v1/models/{model}/train", context => SubmitAsync(context, jobs, manager, RouteValues.Model(context))).Requires(Role.Train);
        routes.MapGet("/v1/jobs", context => ListAsync(context, jobs)).Requires(Role.Train);
        routes.MapGet("/v1/jobs/{id}", async context =>
        {
            var job = await jobs.RequireStore().GetAsync(JobId(context), context.RequestAborted) ?? throw NotFound(JobId(context));
            await WriteJobAsync(context, job);
        }).Requires(Role.Train);
        routes.MapDelete("/v1/jobs/{id}", async context =>
            await WriteJobAsync(context, await jobs.RequireStore().CancelAsync(JobId(context), "Cancelled through the API.", context.RequestAborted))).Requires(Role.Train);
        routes.MapPost("/v1/jobs/{id}/retry", async context =>
            await WriteJobAsync(context, await jobs.RequireStore().RetryAsync(JobId(context), context.RequestAborted))).Requires(Role.Train);
        routes.MapGet("/v1/jobs/{id}/logs", context => LogsAsync(context, jobs)).Requires(Role.Train);
        routes.MapGet("/v1/jobs/{id}/events", context => EventsAsync(context, jobs, lifetime)).Requires(Role.Train);
    }

    private static async Task SubmitAsync(HttpContext context, JobsHost jobs, ModelRepositoryManager manager, string? routeModel)
    {
        var store = jobs.RequireStore();
        JsonDocument document;
        using (var body = await RequestBody.ReadJsonAsync(context, BodyLimit.Job(context)))
        {
            document = body.Length == 0 && routeModel is not null
                ? JsonDocument.Parse("{}")
                : JsonDocument.Parse(body.Span.ToArray());
        }

        using (document)
        {
            var submission = JobSubmissions.Parse(
                document.RootElement,
                manager,
                jobs.Options,
                sqlAllowed: jobs.Options.AllowSqlFromApi && CallerIdentity.IsAdminKey(context.User),
                routeModel,
                routeModel is null ? null : JobKinds.Train);
            var job = await store.SubmitAsync(submission, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.Headers.Location = "/v1/jobs/" + job.Id.ToString(CultureInfo.InvariantCulture);
            await WriteJobAsync(context, job);
        }
    }

    private static async Task ListAsync(HttpContext context, JobsHost jobs)
    {
        var query = context.Request.Query;
        JobState? state = null;
        if (query.TryGetValue("state", out var stateText) && stateText.ToString().Length > 0)
        {
            state = JobStateNames.TryParse(stateText.ToString(), out var parsed)
                ? parsed
                : throw new JobException(JobErrorKind.InvalidArgument, $"unknown state '{stateText}'; states: queued, waiting, running, succeeded, failed, dead, cancelled");
        }

        var filter = new JobFilter
        {
            State = state,
            Queue = NonEmpty(query["queue"].ToString()),
            Kind = NonEmpty(query["kind"].ToString()),
            Limit = (int)(Number(context, "limit", 1, JobFilter.MaxLimit) ?? 50),
            Cursor = Number(context, "cursor", 0, long.MaxValue),
        };
        var page = await jobs.RequireStore().ListAsync(filter, context.RequestAborted);
        await KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("jobs"u8);
            foreach (var job in page.Jobs)
            {
                JobJson.WriteJob(w, job);
            }

            w.WriteEndArray();
            if (page.NextCursor is { } cursor)
            {
                w.WriteString("next_cursor"u8, cursor.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                w.WriteNull("next_cursor"u8);
            }

            w.WriteEndObject();
        });
    }

    private static async Task LogsAsync(HttpContext context, JobsHost jobs)
    {
        var id = JobId(context);
        var store = jobs.RequireStore();
        _ = await store.GetAsync(id, context.RequestAborted) ?? throw NotFound(id);
        var after = Number(context, "after", 0, long.MaxValue) ?? 0;
        var limit = (int)(Number(context, "limit", 1, JobFilter.MaxLimit) ?? JobFilter.MaxLimit);
        var lines = await store.GetLogsAsync(id, after, limit, context.RequestAborted);
        await KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("job_id"u8, id);
            w.WriteStartArray("lines"u8);
            foreach (var line in lines)
            {
                JobJson.WriteLogLine(w, line);
            }

            w.WriteEndArray();
            w.WriteNumber("next_after"u8, lines.Count > 0 ? lines[^1].Id : after);
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// Streams <c>text/event-stream</c>: one event per state change, progress report and log line (<c>event: state</c>,
    /// <c>progress</c> or <c>log</c>, with the event as JSON data), until the job is final, the client goes, or the server stops.
    /// </summary>
    private static async Task EventsAsync(HttpContext context, JobsHost jobs, IHostApplicationLifetime lifetime)
    {
        var id = JobId(context);
        var store = jobs.RequireStore();
        _ = await store.GetAsync(id, context.RequestAborted) ?? throw NotFound(id);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var buffer = new ArrayBufferWriter<byte>(1024);
        try
        {
            await response.StartAsync(stop.Token);
            await foreach (var e in store.WatchAsync(id, stop.Token))
            {
                buffer.ResetWrittenCount();
                Encoding.UTF8.GetBytes("event: " + JobJson.EventName(e.Kind) + "\ndata: ", buffer);
                using (var w = new Utf8JsonWriter(buffer))
                {
                    JobJson.WriteEvent(w, e);
                }

                Encoding.UTF8.GetBytes("\n\n", buffer);
                await response.Body.WriteAsync(buffer.WrittenMemory, stop.Token);
                await response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the server is stopping: the stream just ends.
        }
    }

    private static Task WriteJobAsync(HttpContext context, Job job) =>
        KServeEndpoints.WriteJsonAsync(context, w => JobJson.WriteJob(w, job));

    private static long JobId(HttpContext context)
    {
        var text = context.Request.RouteValues["id"] as string;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new JobException(JobErrorKind.InvalidArgument, $"job id '{text}' is not a positive integer");
    }

    private static long? Number(HttpContext context, string name, long min, long max)
    {
        if (!context.Request.Query.TryGetValue(name, out var value) || value.ToString().Length == 0)
        {
            return null;
        }

        return long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new JobException(JobErrorKind.InvalidArgument, string.Create(CultureInfo.InvariantCulture, $"'{name}' must be an integer from {min} to {max}"));
    }

    private static string? NonEmpty(string value) => value.Length == 0 ? null : value;

    private static JobException NotFound(long id) =>
        new(JobErrorKind.NotFound, string.Create(CultureInfo.InvariantCulture, $"job {id} does not exist")) { JobId = id };
}
