namespace Modelhost.Learning.Tests;

/// <summary>Records reports on the reporting thread (unlike Progress&lt;T&gt;, which posts them).</summary>
internal sealed class SynchronousProgress(List<double> reports, Action<double>? onReport = null) : IProgress<double>
{
    private readonly Lock _lock = new();

    public void Report(double value)
    {
        lock (_lock)
        {
            reports.Add(value);
        }

        onReport?.Invoke(value);
    }
}
