using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Modelhost.Commands;

/// <summary>
/// <c>modelhost jobs list|show|cancel|retry|watch</c>: the jobs of a running server, over its HTTP API. <c>watch</c> draws a
/// progress bar until the job ends and exits 0 when it succeeded, 1 otherwise.
/// </summary>
internal static class JobsCommand
{
    public const int ExitFailed = 1;

    private const int BarWidth = 30;

    private static readonly JsonWriterOptions s_indented = new() { Indented = true };

    public static Command Create()
    {
        var server = new Option<string>("--server")
        {
            Description = "The server's base URL (default: the MODELHOST_SERVER environment variable, else http://127.0.0.1:8080).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MODELHOST_SERVER") is { Length: > 0 } fromEnvironment ? fromEnvironment : "http://127.0.0.1:8080",
            Recursive = true,
        };
        var token = new Option<string?>("--token")
        {
            Description = "The API key to send (default: the MODELHOST_TOKEN environment variable).",
            Recursive = true,
        };

        var state = new Option<string?>("--state") { Description = "Only jobs in this state (queued, waiting, running, succeeded, failed, dead, cancelled)." };
        var kind = new Option<string?>("--kind") { Description = "Only jobs of this kind (train, predict)." };
        var limit = new Option<int>("--limit") { Description = "How many jobs to list.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List jobs, newest first.") { state, kind, limit };
        list.SetAction((result, ct) => RunAsync(result.GetValue(server)!, result.GetValue(token), client => ListAsync(client, result.GetValue(state), result.GetValue(kind), result.GetValue(limit), ct)));

        var jobs = new Command("jobs", "Show, cancel, retry and watch the jobs of a running server.") { server, token, list };
        jobs.Subcommands.Add(IdCommand("show", "Print a job as JSON.", server, token, (client, id, ct) => SendAsync(client, HttpMethod.Get, $"/v1/jobs/{id}", ct)));
        jobs.Subcommands.Add(IdCommand("cancel", "Cancel a job (a running job's process is killed).", server, token, (client, id, ct) => SendAsync(client, HttpMethod.Delete, $"/v1/jobs/{id}", ct)));
        jobs.Subcommands.Add(IdCommand("retry", "Run a dead or cancelled job again.", server, token, (client, id, ct) => SendAsync(client, HttpMethod.Post, $"/v1/jobs/{id}/retry", ct)));
        jobs.Subcommands.Add(IdCommand("watch", "Follow a job's progress and log until it ends; exit code 0 when it succeeded.", server, token, WatchAsync));
        return jobs;
    }

    private static Command IdCommand(string name, string description, Option<string> server, Option<string?> token, Func<HttpClient, long, CancellationToken, Task<int>> action)
    {
        var id = new Argument<long>("id") { Description = "The job's id." };
        var command = new Command(name, description) { id };
        command.SetAction((result, ct) => RunAsync(result.GetValue(server)!, result.GetValue(token), client => action(client, result.GetValue(id), ct)));
        return command;
    }

    private static async Task<int> RunAsync(string server, string? token, Func<HttpClient, Task<int>> action)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            await Console.Error.WriteLineAsync($"error: --server '{server}' is not an http:// or https:// URL");
            return ExitFailed;
        }

        using var client = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        token ??= Environment.GetEnvironmentVariable("MODELHOST_TOKEN");
        if (!string.IsNullOrWhiteSpace(token))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        }
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            return await action(client);
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"error: cannot reach the server at {server}: {ex.Message}");
            return ExitFailed;
        }
        catch (OperationCanceledException)
        {
            return ExitFailed;
        }
    }

    private static async Task<int> ListAsync(HttpClient client, string? state, string? kind, int limit, CancellationToken cancellationToken)
    {
        var query = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"/v1/jobs?limit={limit}"));
        if (state is not null)
        {
            query.Append("&state=").Append(Uri.EscapeDataString(state));
        }

        if (kind is not null)
        {
            query.Append("&kind=").Append(Uri.EscapeDataString(kind));
        }

        using var response = await client.GetAsync(new Uri(query.ToString(), UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return await ReportErrorAsync(response, body);
        }

        using var document = JsonDocument.Parse(body);
        Console.WriteLine($"{"ID",-8} {"KIND",-8} {"STATE",-10} {"PROGRESS",8}  {"ATTEMPTS",8}  MODEL");
        foreach (var job in document.RootElement.GetProperty("jobs").EnumerateArray())
        {
            var model = job.GetProperty("payload").TryGetProperty("model", out var m) ? m.GetString() : string.Empty;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{job.GetProperty("id").GetInt64(),-8} {job.GetProperty("kind").GetString(),-8} {job.GetProperty("state").GetString(),-10} {job.GetProperty("progress").GetInt32(),7}%  {job.GetProperty("attempts").GetInt32(),3}/{job.GetProperty("max_attempts").GetInt32(),-4}  {model}"));
        }

        return 0;
    }

    private static async Task<int> SendAsync(HttpClient client, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return await ReportErrorAsync(response, body);
        }

        using var document = JsonDocument.Parse(body);
        // Written by Utf8JsonWriter, not JsonSerializer, whose reflection a Native AOT build lacks.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, s_indented))
        {
            document.RootElement.WriteTo(writer);
        }

        Console.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
        return 0;
    }

    private static async Task<int> WatchAsync(HttpClient client, long id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v1/jobs/{id}/events", UriKind.Relative));
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return await ReportErrorAsync(response, await response.Content.ReadAsStringAsync(cancellationToken));
        }

        var interactive = !Console.IsOutputRedirected;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? state = null;
        string? error = null;
        var barShown = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line.AsMemory(6));
            var e = document.RootElement;
            state = e.GetProperty("state").GetString();
            var kind = e.GetProperty("kind").GetString();
            if (kind == "state" && e.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.String)
            {
                error = err.GetString();
            }

            if (kind == "log")
            {
                if (barShown && interactive)
                {
                    Console.Write("\r\u001b[2K");
                }

                Console.WriteLine(e.GetProperty("line").GetString());
            }
            else if (!interactive)
            {
                Console.WriteLine(Bar(e));
            }

            if (interactive)
            {
                Console.Write("\r\u001b[2K" + Bar(e));
                barShown = true;
            }
        }

        if (barShown)
        {
            Console.WriteLine();
        }

        if (state is null)
        {
            await Console.Error.WriteLineAsync($"error: the server ended the stream of job {id} before it ended");
            return ExitFailed;
        }

        Console.WriteLine(error is null || state == "succeeded" ? $"job {id} {state}" : $"job {id} {state}: {error}");
        return state == "succeeded" ? 0 : ExitFailed;
    }

    private static string Bar(JsonElement e) => Bar(
        e.GetProperty("progress").GetInt32(),
        e.GetProperty("state").GetString(),
        e.TryGetProperty("progress_message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null);

    /// <summary>One line of progress: <c>[####------]  40% running message</c>.</summary>
    internal static string Bar(int percent, string? state, string? message)
    {
        var progress = Math.Clamp(percent, 0, 100);
        var filled = progress * BarWidth / 100;
        var suffix = message is null ? string.Empty : " " + message;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('-', BarWidth - filled)}] {progress,3}% {state}{suffix}");
    }

    private static async Task<int> ReportErrorAsync(HttpResponseMessage response, string body)
    {
        var message = body;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                message = error.GetString() ?? body;
            }
        }
        catch (JsonException)
        {
        }

        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"error: {(int)response.StatusCode}: {message}"));
        return ExitFailed;
    }
}
