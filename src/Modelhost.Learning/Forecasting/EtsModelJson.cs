using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Modelhost.Learning.Forecasting;

/// <summary>
/// The JSON form of <see cref="EtsModel"/> (format <c>modelhost.ets/1</c>). Doubles are written in their shortest
/// round-trip form, so a restored model forecasts bit-for-bit the same; non-finite values (an exact fit's criteria)
/// are written as the strings "NaN", "Infinity" and "-Infinity".
/// </summary>
internal static class EtsModelJson
{
    public const string Format = "modelhost.ets/1";

    public static string Write(EtsModel model)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteString("series", model.SeriesName);
            w.WriteString("method", model.Method);
            w.WriteString("model", model.Spec.Code);
            w.WriteNumber("period", model.Period);
            w.WriteNumber("observations", model.ObservationCount);

            w.WriteStartObject("parameters");
            WriteDouble(w, "alpha", model.Alpha);
            WriteOptional(w, "beta", model.Beta);
            WriteOptional(w, "gamma", model.Gamma);
            WriteOptional(w, "phi", model.Phi);
            w.WriteEndObject();

            WriteStates(w, "initialStates", model.InitialLevel, model.InitialTrend, model.InitialSeasonStates);
            WriteStates(w, "finalStates", model.Level, model.Trend, model.FinalSeasonStates);

            WriteDouble(w, "sigma2", model.Sigma2);
            WriteDouble(w, "logLikelihood", model.LogLikelihood);
            w.WriteNumber("parameterCount", model.ParameterCount);
            WriteDouble(w, "aic", model.Aic);
            WriteDouble(w, "aicc", model.Aicc);
            WriteDouble(w, "bic", model.Bic);

            if (model.LastTimestamp is { } last)
            {
                w.WriteString("lastTimestamp", last);
            }

            if (model.Spacing is { } spacing)
            {
                w.WriteStartObject("spacing");
                switch (spacing.Kind)
                {
                    case TimeSpacingKind.Fixed:
                        w.WriteString("kind", "fixed");
                        w.WriteString("interval", spacing.Interval.ToString("c", CultureInfo.InvariantCulture));
                        break;
                    case TimeSpacingKind.BusinessDays:
                        w.WriteString("kind", "businessDays");
                        w.WriteNumber("count", spacing.Count);
                        break;
                    default:
                        w.WriteString("kind", "months");
                        w.WriteNumber("count", spacing.Count);
                        break;
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static EtsModel Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The ETS model is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("The ETS model must be a JSON object.");
            }

            var format = GetString(root, "format");
            if (format != Format)
            {
                throw new FormatException($"'format' is '{format}'; this version reads '{Format}'.");
            }

            var seriesName = GetString(root, "series");
            var code = GetString(root, "model");
            if (!EtsSpec.TryParse(code, out var spec))
            {
                throw new FormatException($"'model' is '{code}', which is not an ETS model code such as 'MAdM'.");
            }

            var period = GetInt(root, "period", 1);
            var n = GetInt(root, "observations", 1);
            var parameters = GetObject(root, "parameters");
            var alpha = GetDouble(parameters, "alpha", "parameters.alpha");
            var beta = spec.HasTrend ? GetDouble(parameters, "beta", "parameters.beta") : 0;
            var gamma = spec.HasSeason ? GetDouble(parameters, "gamma", "parameters.gamma") : 0;
            var phi = spec.IsDamped ? GetDouble(parameters, "phi", "parameters.phi") : (spec.HasTrend ? 1 : 0);
            var smoothing = new EtsSmoothing(alpha, beta, gamma, phi);

            var m = spec.HasSeason ? period : 0;
            if (spec.HasSeason && period < 2)
            {
                throw new FormatException($"'period' is {period}, but the seasonal model {spec} needs at least 2.");
            }

            var (l0, b0, s0) = ReadStates(root, "initialStates", spec, m);
            var (l, b, s) = ReadStates(root, "finalStates", spec, m);
            var sigma2 = GetDouble(root, "sigma2", "sigma2");
            var logLik = GetDouble(root, "logLikelihood", "logLikelihood");
            var parameterCount = GetInt(root, "parameterCount", 1);

            DateTime? last = null;
            if (root.TryGetProperty("lastTimestamp", out var lastElement) && lastElement.ValueKind != JsonValueKind.Null)
            {
                if (lastElement.ValueKind != JsonValueKind.String || !lastElement.TryGetDateTime(out var parsed))
                {
                    throw new FormatException("'lastTimestamp' must be an ISO 8601 date-time string.");
                }

                last = parsed;
            }

            TimeSpacing? spacing = null;
            if (root.TryGetProperty("spacing", out var spacingElement) && spacingElement.ValueKind != JsonValueKind.Null)
            {
                spacing = ReadSpacing(spacingElement);
            }

            return new EtsModel(seriesName, spec, period, n, smoothing, l0, b0, s0, l, b, s, sigma2, logLik, parameterCount, last, spacing);
        }
    }

    private static void WriteStates(Utf8JsonWriter w, string name, double level, double? trend, double[] season)
    {
        w.WriteStartObject(name);
        WriteDouble(w, "level", level);
        WriteOptional(w, "trend", trend);
        w.WriteStartArray("season");
        foreach (var v in season)
        {
            WriteDoubleValue(w, v);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static (double Level, double Trend, double[] Season) ReadStates(JsonElement root, string name, EtsSpec spec, int m)
    {
        var states = GetObject(root, name);
        var level = GetDouble(states, "level", name + ".level");
        var trend = spec.HasTrend ? GetDouble(states, "trend", name + ".trend") : 0;
        var season = Array.Empty<double>();
        if (spec.HasSeason)
        {
            if (!states.TryGetProperty("season", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() != m)
            {
                throw new FormatException($"'{name}.season' must be an array of {m} numbers (one per season).");
            }

            season = new double[m];
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                season[i] = ToDouble(item, $"{name}.season[{i}]");
                i++;
            }
        }

        return (level, trend, season);
    }

    private static TimeSpacing ReadSpacing(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("'spacing' must be an object.");
        }

        var kind = GetString(element, "kind");
        switch (kind)
        {
            case "fixed":
                var text = GetString(element, "interval");
                if (!TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var interval) || interval <= TimeSpan.Zero)
                {
                    throw new FormatException($"'spacing.interval' is '{text}', not a positive duration such as '1.00:00:00'.");
                }

                return TimeSpacing.Fixed(interval);
            case "businessDays":
                return TimeSpacing.BusinessDays(GetInt(element, "count", 1));
            case "months":
                return TimeSpacing.Months(GetInt(element, "count", 1));
            default:
                throw new FormatException($"'spacing.kind' is '{kind}'; expected 'fixed', 'businessDays' or 'months'.");
        }
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            WriteDouble(w, name, v);
        }
    }

    private static void WriteDouble(Utf8JsonWriter w, string name, double value)
    {
        w.WritePropertyName(name);
        WriteDoubleValue(w, value);
    }

    private static void WriteDoubleValue(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumberValue(value);
        }
        else
        {
            w.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static JsonElement GetObject(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Object
            ? element
            : throw new FormatException($"'{name}' is missing or not an object.");

    private static string GetString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw new FormatException($"'{name}' is missing or not a string.");

    private static int GetInt(JsonElement parent, string name, int minimum) =>
        parent.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value) && value >= minimum
            ? value
            : throw new FormatException($"'{name}' is missing or not an integer of at least {minimum}.");

    private static double GetDouble(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var element)
            ? ToDouble(element, path)
            : throw new FormatException($"'{path}' is missing.");

    private static double ToDouble(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            return element.GetDouble();
        }

        if (element.ValueKind == JsonValueKind.String
            && double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var special)
            && !double.IsFinite(special))
        {
            return special;
        }

        throw new FormatException($"'{path}' must be a number.");
    }
}
