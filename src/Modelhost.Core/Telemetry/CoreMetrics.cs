using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Modelhost.Core.Telemetry;

/// <summary>
/// The serving metrics Core records, on one <see cref="Meter"/> named <see cref="MeterName"/>. The <c>nv_</c> families
/// keep Triton's names, types and labels (its metrics.md) so that Triton dashboards and autoscaling rules read them
/// unchanged; the <c>modelhost_</c> families add real histograms. Instrument names are already Prometheus names.
/// </summary>
/// <remarks>
/// Labels never come from request content: <c>model</c> and <c>version</c> are those of a loaded version,
/// <c>reason</c> and <c>protocol</c> come from fixed sets. A request for a model that does not exist counts under
/// <see cref="UnknownModel"/>.
/// <para>
/// Triton's cumulative counters of successful requests are observable counters over <see cref="VersionCounters"/>:
/// the request path adds to plain fields and the listener reads them when it collects, so recording a request costs
/// a few interlocked adds instead of a listener callback and a series lookup per counter. Failures (rare, with a
/// <c>reason</c>) and the histograms are recorded as measurements.
/// </para>
/// </remarks>
public sealed class CoreMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Modelhost.Core";

    /// <summary>The <c>model</c> label of requests for a model the repository does not have (no model name can contain parentheses).</summary>
    public const string UnknownModel = "(unknown)";

    /// <summary>Buckets for request durations: 50 µs to 10 s.</summary>
    internal static readonly InstrumentAdvice<double> SecondsAdvice = new()
    {
        HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    /// <summary>Buckets for loads and jobs: 10 ms to an hour.</summary>
    internal static readonly InstrumentAdvice<double> LongSecondsAdvice = new()
    {
        HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600],
    };

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ConcurrentDictionary<(string Model, long Version), VersionCounters> _versions = new();

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when that is null.</summary>
    /// <param name="meterFactory">The host's meter factory, so that each host's listeners see only its own instruments.</param>
    /// <param name="observePending">Reads the requests waiting in each version's queue, on each collection.</param>
    /// <param name="observeStates">Reads each version's state as 1 under its <c>state</c> label, on each collection.</param>
    internal CoreMetrics(IMeterFactory? meterFactory, Func<IEnumerable<Measurement<long>>> observePending, Func<IEnumerable<Measurement<long>>> observeStates)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        RequestSuccess = _meter.CreateObservableCounter("nv_inference_request_success", () => Observe(static c => c.Success), description: "Number of successful inference requests, all batch sizes");
        RequestFailure = _meter.CreateCounter<long>("nv_inference_request_failure", description: "Number of failed inference requests, all batch sizes");
        _meter.CreateObservableCounter("nv_inference_count", () => Observe(static c => c.Inferences), description: "Number of inferences performed (does not include cached requests)");
        _meter.CreateObservableCounter("nv_inference_exec_count", () => Observe(static c => c.Executions), description: "Number of model executions performed (does not include cached requests)");
        _meter.CreateObservableCounter("nv_inference_request_duration_us", () => Observe(static c => c.RequestUs), description: "Cumulative inference request duration in microseconds (includes cached requests)");
        _meter.CreateObservableCounter("nv_inference_queue_duration_us", () => Observe(static c => c.QueueUs), description: "Cumulative inference queuing duration in microseconds (includes cached requests)");
        _meter.CreateObservableCounter("nv_inference_compute_input_duration_us", () => Observe(static c => c.InputUs), description: "Cumulative compute input duration in microseconds (does not include cached requests)");
        _meter.CreateObservableCounter("nv_inference_compute_infer_duration_us", () => Observe(static c => c.InferUs), description: "Cumulative compute inference duration in microseconds (does not include cached requests)");
        _meter.CreateObservableCounter("nv_inference_compute_output_duration_us", () => Observe(static c => c.OutputUs), description: "Cumulative inference compute output duration in microseconds (does not include cached requests)");
        RequestDuration = _meter.CreateHistogram<double>("modelhost_request_duration_seconds", "s", "Time from the model receiving a request to its response being ready, by model, version and protocol", null, SecondsAdvice);
        QueueDuration = _meter.CreateHistogram<double>("modelhost_queue_duration_seconds", "s", "Time a request waited in its model's batching queue", null, SecondsAdvice);
        ComputeDuration = _meter.CreateHistogram<double>("modelhost_compute_duration_seconds", "s", "Time of the run (inputs, ONNX Runtime, outputs) that answered a request", null, SecondsAdvice);
        BatchSize = _meter.CreateHistogram<long>("modelhost_batch_size", "{row}", "Rows in each model execution", null, new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        LoadDuration = _meter.CreateHistogram<double>("modelhost_model_load_duration_seconds", "s", "Time to load and warm a model version, successful or not", null, LongSecondsAdvice);
        LoadFailures = _meter.CreateCounter<long>("modelhost_model_load_failures_total", description: "Model versions that failed to load");
        RepositoryPolls = _meter.CreateCounter<long>("modelhost_repository_polls_total", description: "Scans of the model repository");
        _meter.CreateObservableGauge("nv_inference_pending_request_count", observePending, description: "Instantaneous number of pending requests awaiting execution per-model.");
        _meter.CreateObservableGauge("modelhost_model_state", observeStates, description: "1 for each model version in its current state (LOADING, READY, UNAVAILABLE, UNLOADING)");
    }

    /// <summary>Whether a listener collects Triton's success counters (then the request path updates <see cref="VersionCounters"/>).</summary>
    internal ObservableCounter<long> RequestSuccess { get; }

    internal Counter<long> RequestFailure { get; }

    internal Histogram<double> RequestDuration { get; }

    internal Histogram<double> QueueDuration { get; }

    internal Histogram<double> ComputeDuration { get; }

    internal Histogram<long> BatchSize { get; }

    internal Histogram<double> LoadDuration { get; }

    internal Counter<long> LoadFailures { get; }

    internal Counter<long> RepositoryPolls { get; }

    /// <summary>Counts a failed inference request for a model the repository does not have, under <see cref="UnknownModel"/>.</summary>
    public void RecordUnknownModel() =>
        RequestFailure.Add(
            1,
            new KeyValuePair<string, object?>("model", UnknownModel),
            new KeyValuePair<string, object?>("version", ""),
            FailureReasons.Rejected);

    /// <summary>The counters of one model version, made on first use and kept for the life of these metrics.</summary>
    internal VersionCounters CountersFor(string model, long version) =>
        _versions.GetOrAdd((model, version), static key => new VersionCounters(key.Model, key.Version));

    private IEnumerable<Measurement<long>> Observe(Func<VersionCounters, long> read)
    {
        foreach (var counters in _versions.Values)
        {
            yield return new Measurement<long>(read(counters), counters.Model, counters.Version);
        }
    }

    /// <summary>Releases the meter when this object created it; a factory's meters belong to the factory.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
