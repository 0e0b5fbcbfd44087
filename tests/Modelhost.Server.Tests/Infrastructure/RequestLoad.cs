using System.Net;
using System.Text.RegularExpressions;

namespace Modelhost.Server.Tests.Infrastructure;

/// <summary>
/// A few tasks posting the same inference request in a loop until stopped (or, as a bound, after
/// <c>maxDuration</c>); it records every answer that is not 200 and which model versions answered. The bound is a
/// time, not a count: a fast server used up a count of requests before the version a test waited for came in.
/// </summary>
public sealed partial class RequestLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _failures = [];
    private readonly HashSet<string> _versions = [];
    private readonly Task[] _tasks;
    private int _requests;

    public RequestLoad(RunningServer server, string path, string body, int tasks = 4, TimeSpan? maxDuration = null)
    {
        _stop.CancelAfter(maxDuration ?? TimeSpan.FromMinutes(3));
        _tasks = Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                using var response = await server.PostJsonAsync(path, body);
                var text = await response.Content.ReadAsStringAsync();
                Interlocked.Increment(ref _requests);
                lock (_failures)
                {
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        _failures.Add($"{(int)response.StatusCode} {text}");
                    }
                    else if (ModelVersion().Match(text) is { Success: true } match)
                    {
                        _versions.Add(match.Groups[1].Value);
                    }
                }
            }
        })).ToArray();
    }

    public int Requests => Volatile.Read(ref _requests);

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    public bool Answered(string version)
    {
        lock (_failures)
        {
            return _versions.Contains(version);
        }
    }

    /// <summary>Stops the tasks and waits for them; returns every non-200 answer.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(30));
        return Failures;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking every 50 ms, and fails after <paramref name="bound"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"waited {bound} for {what}");
            }

            await Task.Delay(50);
        }
    }

    [GeneratedRegex("\"model_version\":\"([0-9]+)\"")]
    private static partial Regex ModelVersion();
}
