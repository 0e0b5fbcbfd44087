using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Modelhost.Server.Metrics;

/// <summary>
/// Listens to this host's meters (Modelhost's own, ASP.NET Core's and Kestrel's from the host's
/// <see cref="IMeterFactory"/>) and the process-wide <c>System.Runtime</c> meter, aggregates their measurements, and
/// writes them as Prometheus text (exposition format 0.0.4).
/// </summary>
/// <remarks>
/// A small writer over <see cref="MeterListener"/> rather than an exporter package: OpenTelemetry's Prometheus
/// exporter (1.20.1-beta.1 here) and prometheus-net's meter adapter both rename instruments (a <c>_total</c> suffix on
/// every counter, unit suffixes, scope labels), and Triton's counters must keep their exact names
/// (<c>nv_inference_request_success</c>, not <c>nv_inference_request_success_total</c>) for existing dashboards and
/// autoscaling rules to work. Instruments named with dots (OpenTelemetry's conventions, e.g.
/// <c>http.server.request.duration</c>) are turned into Prometheus names as OpenTelemetry does: dots to underscores, a
/// unit suffix (<c>_seconds</c>, <c>_bytes</c>) and <c>_total</c> on counters; a gauge ending in <c>.count</c> ends in
/// <c>_number</c> instead, since Prometheus reserves <c>_count</c> for histograms. Instruments named without dots are
/// Prometheus names already and are exported as they are. Recording allocates nothing once a series exists.
/// </remarks>
internal sealed class PrometheusExporter : IDisposable
{
    /// <summary>Histogram bounds for durations in seconds: 50 µs to 10 s.</summary>
    internal static readonly double[] SecondsBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly double[] DefaultBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    private readonly MeterListener _listener;
    private readonly object? _scope;
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Lock _collectLock = new();
    private long _currentGeneration;

    /// <summary>Starts listening.</summary>
    /// <param name="scope">The host's meter factory: meters it made (and only those) are exported, with System.Runtime.</param>
    public PrometheusExporter(IMeterFactory scope)
    {
        _scope = scope;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (Exports(instrument.Meter))
                {
                    listener.EnableMeasurementEvents(instrument, FamilyFor(instrument));
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => Record(state, (double)value, tags));
        _listener.Start();
    }

    /// <summary>The Prometheus name of an instrument.</summary>
    public static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name;
        if (!name.Contains('.', StringComparison.Ordinal))
        {
            return Sanitize(name);
        }

        var result = Sanitize(name);
        var unit = instrument.Unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            _ => "",
        };
        if (unit.Length > 0 && !result.EndsWith(unit, StringComparison.Ordinal))
        {
            result += unit;
        }

        var type = MetricFamily.TypeOf(instrument);
        if (type == "counter" && !result.EndsWith("_total", StringComparison.Ordinal))
        {
            result += "_total";
        }
        else if (type == "gauge" && result.EndsWith("_count", StringComparison.Ordinal))
        {
            // Prometheus keeps _count for histograms and summaries; a gauge such as dotnet.assembly.count says _number.
            result = result[..^"_count".Length] + "_number";
        }

        return result;
    }

    /// <summary>Collects the observable instruments, then writes every family.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        long generation;
        lock (_collectLock)
        {
            generation = Interlocked.Increment(ref _currentGeneration);
            _listener.RecordObservableInstruments();
        }

        var text = new StringBuilder(16 * 1024);
        var families = new List<MetricFamily>(_families.Values);
        families.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var family in families)
        {
            WriteFamily(text, family, generation);
        }

        foreach (var part in text.GetChunks())
        {
            Encoding.UTF8.GetBytes(part.Span, output);
        }
    }

    /// <summary>The family exported as <paramref name="name"/>, for read-only snapshots (<see cref="HistogramSnapshot"/>); null until an instrument of that name is published.</summary>
    internal MetricFamily? Find(string name) => _families.TryGetValue(name, out var family) ? family : null;

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();

    /// <summary>
    /// System.Runtime, Modelhost's meters, and ASP.NET Core's hosting, Kestrel and diagnostics meters. Routing's
    /// (<c>aspnetcore.routing.match_attempts</c>, one measurement per request) and the memory pool's (about nine per
    /// request) are left out: they said little an operator needs and cost the seed request measurable CPU.
    /// </summary>
    private bool Exports(Meter meter) =>
        meter.Name == "System.Runtime"
        || (ReferenceEquals(meter.Scope, _scope) && (meter.Name.StartsWith("Modelhost.", StringComparison.Ordinal) || meter.Name is "Microsoft.AspNetCore.Hosting" or "Microsoft.AspNetCore.Server.Kestrel" or "Microsoft.AspNetCore.Diagnostics"));

    private static void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var (exporter, family) = ((PrometheusExporter, MetricFamily))state!;
        family.Record(value, tags, Volatile.Read(ref exporter._currentGeneration));
    }

    private object FamilyFor(Instrument instrument)
    {
        var name = PrometheusName(instrument);
        var type = MetricFamily.TypeOf(instrument);
        var family = _families.GetOrAdd(name, _ => new MetricFamily(name, type, instrument.Description, type == "histogram" ? BoundsOf(instrument) : null, instrument.IsObservable));
        return (this, family);
    }

    private static double[] BoundsOf(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<long> h => ToDoubles(h.Advice?.HistogramBucketBoundaries),
            _ => null,
        };
        if (advised is { Count: > 0 } && instrument.Meter.Name.StartsWith("Modelhost.", StringComparison.Ordinal))
        {
            return [.. advised];
        }

        return instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets;
    }

    private static double[]? ToDoubles(IReadOnlyList<long>? values)
    {
        if (values is null)
        {
            return null;
        }

        var result = new double[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    private static void WriteFamily(StringBuilder text, MetricFamily family, long generation)
    {
        var series = new List<Series>();
        foreach (var s in family.AllSeries)
        {
            if (!family.Observable || s.Generation == generation)
            {
                series.Add(s);
            }
        }

        if (series.Count == 0)
        {
            return;
        }

        if (family.Help is { Length: > 0 } help)
        {
            text.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        }

        text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
        series.Sort(static (a, b) => string.CompareOrdinal(LabelText(a.Tags, null), LabelText(b.Tags, null)));
        foreach (var s in series)
        {
            if (family.Bounds is { } bounds)
            {
                long cumulative = 0;
                for (var i = 0; i < bounds.Length; i++)
                {
                    cumulative += s.Bucket(i);
                    text.Append(family.Name).Append("_bucket").Append(LabelText(s.Tags, Format(bounds[i]))).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                cumulative += s.Bucket(bounds.Length);
                text.Append(family.Name).Append("_bucket").Append(LabelText(s.Tags, "+Inf")).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(family.Name).Append("_sum").Append(LabelText(s.Tags, null)).Append(' ').Append(Format(s.Value)).Append('\n');
                text.Append(family.Name).Append("_count").Append(LabelText(s.Tags, null)).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            else
            {
                text.Append(family.Name).Append(LabelText(s.Tags, null)).Append(' ').Append(Format(s.Value)).Append('\n');
            }
        }
    }

    private static string LabelText(TagKey tags, string? le)
    {
        if (tags.Count == 0 && le is null)
        {
            return "";
        }

        var text = new StringBuilder("{");
        for (var i = 0; i < tags.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(Sanitize(tags[i].Key)).Append("=\"").Append(EscapeValue(Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "")).Append('"');
        }

        if (le is not null)
        {
            text.Append(tags.Count > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
        }

        return text.Append('}').ToString();
    }

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or ':') || (i == 0 && char.IsAsciiDigit(c)))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
