using Modelhost.Core.Inference;

namespace Modelhost.Core.Telemetry;

/// <summary>Records <see cref="CoreMetrics"/> for one loaded version, with its <c>model</c> and <c>version</c> tags made once.</summary>
internal sealed class ModelVersionMetrics
{
    private readonly CoreMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly VersionCounters _counters;
    private readonly KeyValuePair<string, object?> _model;
    private readonly KeyValuePair<string, object?> _version;

    public ModelVersionMetrics(CoreMetrics metrics, string model, long version, TimeProvider timeProvider)
    {
        _metrics = metrics;
        _timeProvider = timeProvider;
        _counters = metrics.CountersFor(model, version);
        _model = _counters.Model;
        _version = _counters.Version;
    }

    /// <summary>Counts requests that failed, for one of <see cref="FailureReasons"/>.</summary>
    public void Failed(int requests, KeyValuePair<string, object?> reason) => _metrics.RequestFailure.Add(requests, _model, _version, reason);

    /// <summary>Counts one execution of <paramref name="rows"/> rows.</summary>
    public void Executed(long rows)
    {
        _counters.Executed();
        _metrics.BatchSize.Record(rows, _model, _version);
    }

    /// <summary>
    /// Records one answered request: it waited from its <see cref="InferenceRequest.QueuedTimestamp"/> until
    /// <paramref name="runStarted"/>, its run took <paramref name="timings"/>, and it was answered at <paramref name="answered"/>.
    /// </summary>
    public void Succeeded(InferenceRequest request, long runStarted, long answered, in RunTimings timings)
    {
        if (!_metrics.RequestSuccess.Enabled)
        {
            return;
        }

        var protocol = new KeyValuePair<string, object?>("protocol", request.Protocol);
        var rows = request.Inputs.Count > 0 ? request.Inputs[0].Rows : 1;
        var queue = _timeProvider.GetElapsedTime(request.QueuedTimestamp, runStarted);
        var total = _timeProvider.GetElapsedTime(request.ReceivedTimestamp, answered);
        var compute = Elapsed(timings.Total);
        _counters.Succeeded(
            rows,
            (long)total.TotalMicroseconds,
            (long)queue.TotalMicroseconds,
            (long)Elapsed(timings.Input).TotalMicroseconds,
            (long)Elapsed(timings.Infer).TotalMicroseconds,
            (long)Elapsed(timings.Output).TotalMicroseconds);
        _metrics.RequestDuration.Record(total.TotalSeconds, _model, _version, protocol);
        _metrics.QueueDuration.Record(queue.TotalSeconds, _model, _version, protocol);
        _metrics.ComputeDuration.Record(compute.TotalSeconds, _model, _version, protocol);
    }

    private TimeSpan Elapsed(long ticks) => _timeProvider.GetElapsedTime(0, ticks);
}
