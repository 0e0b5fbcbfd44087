using System.Diagnostics.Metrics;

namespace Modelhost.Jobs.Workers;

/// <summary>
/// The job workers' metrics, on a <see cref="Meter"/> named <see cref="MeterName"/>: attempts finished by queue, kind and
/// the state they left the job in, their durations, and the jobs running now. Names are already Prometheus names.
/// </summary>
internal sealed class JobMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Modelhost.Jobs";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _duration;

    public JobMetrics(IMeterFactory? meterFactory, Func<IEnumerable<Measurement<long>>> observeRunning)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _finished = _meter.CreateCounter<long>("modelhost_jobs_total", description: "Job attempts finished, by queue, kind and the state they left the job in (succeeded, failed, queued for a retry, cancelled, released)");
        _duration = _meter.CreateHistogram<double>("modelhost_job_duration_seconds", "s", "Time a job attempt ran, by queue, kind and the state it left the job in", null, new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200],
        });
        _meter.CreateObservableGauge("modelhost_jobs_running", observeRunning, description: "Jobs running on this server's workers now, by queue and kind");
    }

    /// <summary>Records an attempt that left <paramref name="job"/> in <paramref name="state"/> after <paramref name="elapsed"/>.</summary>
    public void Finished(Job job, string state, TimeSpan elapsed)
    {
        var queue = new KeyValuePair<string, object?>("queue", job.Queue);
        var kind = new KeyValuePair<string, object?>("kind", job.Kind);
        var label = new KeyValuePair<string, object?>("state", state);
        _finished.Add(1, queue, kind, label);
        _duration.Record(elapsed.TotalSeconds, queue, kind, label);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
