using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Modelhost.Core.Repository;
using Modelhost.Jobs;
using Modelhost.Workflows.Data;

namespace Modelhost.Workflows;

/// <summary>
/// The payload of a <c>predict</c> job: <c>{"model", "version"?, "input": {"csv" | "query", "key_column"},
/// "output": {"table" | "csv"}, "outputs"?: "first" | "all"}</c>, checked the same way at submission and when the job runs.
/// </summary>
internal sealed class PredictSpec
{
    public const string JobKind = "predict";

    private static readonly string[] _keys = ["model", "version", "input", "output", "outputs"];
    private static readonly string[] _inputKeys = ["csv", "query", "key_column"];
    private static readonly string[] _outputKeys = ["table", "csv"];

    public required string Model { get; init; }

    public long? Version { get; init; }

    public string? InputCsv { get; init; }

    public string? InputQuery { get; init; }

    public required string KeyColumn { get; init; }

    public string? OutputTable { get; init; }

    public string? OutputCsv { get; init; }

    /// <summary>Whether every output becomes a column, rather than the first output as <c>prediction</c>.</summary>
    public bool AllOutputs { get; init; }

    /// <summary>Reads and checks the payload fields of <paramref name="body"/>; other keys than <paramref name="ignoredKeys"/> are refused.</summary>
    /// <exception cref="JobException">A field is missing or invalid (<see cref="JobErrorKind.InvalidArgument"/>).</exception>
    public static PredictSpec Parse(JsonElement body, IReadOnlyCollection<string> ignoredKeys)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("a predict job's payload must be an object");
        }

        CheckKeys(body, null, [.. _keys, .. ignoredKeys]);
        var model = String(body, "model") ?? throw Invalid("'model' is required");
        if (!ModelName.TryValidate(model, out var error))
        {
            throw Invalid(error);
        }

        long? version = null;
        if (body.TryGetProperty("version", out var v) && v.ValueKind != JsonValueKind.Null)
        {
            version = v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n > 0 ? n : throw Invalid("'version' must be a positive integer");
        }

        var (input, csv, query) = OneOf(
            body,
            "input",
            _inputKeys,
            ("csv", "query"),
            "'input' is required: {\"csv\": \"rows.csv\", \"key_column\": \"id\"} or {\"query\": \"SELECT ...\", \"key_column\": \"id\"}",
            "'input' needs exactly one of 'csv' (a file in the data directory) or 'query' (a SELECT)");

        if (csv is not null && !DataFiles.IsValidName(csv))
        {
            throw Invalid(DataFiles.InvalidNameMessage("input file", csv));
        }

        if (query is not null)
        {
            DataSql.ValidateSelect(query);
        }

        var key = String(input, "key_column") ?? throw Invalid("'input.key_column' is required: the column that identifies each row");
        DataSql.ValidateIdentifier(key, "key column");

        var (_, table, outCsv) = OneOf(
            body,
            "output",
            _outputKeys,
            ("table", "csv"),
            "'output' is required: {\"table\": \"predictions\"} or {\"csv\": \"out.csv\"}",
            "'output' needs exactly one of 'table' (in the database) or 'csv' (a file that goes to the data directory's outputs/ folder)");

        if (table is not null)
        {
            DataSql.ValidateIdentifier(table, "output table");
        }

        if (outCsv is not null && !DataFiles.IsValidName(outCsv))
        {
            throw Invalid(DataFiles.InvalidNameMessage("output file", outCsv));
        }

        var outputs = String(body, "outputs") ?? "first";
        if (outputs is not ("first" or "all"))
        {
            throw Invalid($"'outputs' must be \"first\" or \"all\", not \"{outputs}\"");
        }

        return new PredictSpec
        {
            Model = model,
            Version = version,
            InputCsv = csv,
            InputQuery = query?.Trim(),
            KeyColumn = key,
            OutputTable = table,
            OutputCsv = outCsv,
            AllOutputs = outputs == "all",
        };
    }

    /// <summary>The payload as stored: only the fields above, normalized.</summary>
    public JsonObject ToPayload()
    {
        var input = new JsonObject();
        if (InputCsv is not null)
        {
            input["csv"] = InputCsv;
        }
        else
        {
            input["query"] = InputQuery;
        }

        input["key_column"] = KeyColumn;
        var output = new JsonObject();
        if (OutputTable is not null)
        {
            output["table"] = OutputTable;
        }
        else
        {
            output["csv"] = OutputCsv;
        }

        var payload = new JsonObject { ["model"] = Model };
        if (Version is { } version)
        {
            payload["version"] = version;
        }

        payload["input"] = input;
        payload["output"] = output;
        payload["outputs"] = AllOutputs ? "all" : "first";
        return payload;
    }

    /// <summary>The object <paramref name="name"/> of <paramref name="body"/>, which must hold exactly one of two string fields.</summary>
    private static (JsonElement Section, string? First, string? Second) OneOf(
        JsonElement body, string name, IReadOnlyCollection<string> keys, (string First, string Second) fields, string missing, string notExactlyOne)
    {
        if (!body.TryGetProperty(name, out var section) || section.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(missing);
        }

        CheckKeys(section, name, keys);
        var first = String(section, fields.First);
        var second = String(section, fields.Second);
        return (first is null) == (second is null) ? throw Invalid(notExactlyOne) : (section, first, second);
    }

    private static void CheckKeys(JsonElement element, string? scope, IReadOnlyCollection<string> known)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                var where = scope is null ? string.Empty : $" in '{scope}'";
                throw Invalid(string.Create(CultureInfo.InvariantCulture, $"unknown field '{property.Name}'{where}; known fields: {string.Join(", ", known)}"));
            }
        }
    }

    private static string? String(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid($"'{name}' must be a string");
    }

    private static JobException Invalid(string message) => new(JobErrorKind.InvalidArgument, message);
}
