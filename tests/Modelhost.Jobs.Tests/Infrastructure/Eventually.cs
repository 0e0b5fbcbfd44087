using System.Diagnostics;

namespace Modelhost.Jobs.Tests.Infrastructure;

/// <summary>Waits for something asynchronous to become true, with a generous limit so a loaded machine is not a failure.</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (watch.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds} s waiting for {what}; last value: {value}");
            }

            await Task.Delay(20);
        }
    }

    public static Task<Job> StateAsync(JobStore store, long id, JobState state, TimeSpan? timeout = null) =>
        WaitForAsync(async () => (await store.GetAsync(id))!, j => j.State == state, $"job {id} to be {state}", timeout);

    public static async Task WithinAsync(Task task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        if (await Task.WhenAny(task, Task.Delay(limit)) != task)
        {
            Assert.Fail($"Timed out after {limit.TotalSeconds} s waiting for {what}.");
        }

        await task;
    }
}
