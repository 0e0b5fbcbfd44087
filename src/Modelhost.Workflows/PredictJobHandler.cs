using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Modelhost.Core;
using Modelhost.Core.Inference;
using Modelhost.Core.Models;
using Modelhost.Core.Tensors;
using Modelhost.Jobs;
using Modelhost.Workflows.Data;
using Modelhost.Jobs.Workers;
using Modelhost.Core.Engine;

namespace Modelhost.Workflows;

/// <summary>
/// Runs <c>predict</c> jobs: a served model over the rows of a CSV file or a SELECT, in chunks, writing one row per input
/// row (its key, the model version and the outputs) to a table or a CSV file.
/// </summary>
internal sealed partial class PredictJobHandler : IJobHandler
{
    public const int ChunkRows = 1024;

    private const string VersionColumn = "model_version";
    private const string PredictionColumn = "prediction";

    private readonly ModelRepositoryManager _manager;
    private readonly JobsOptions _options;
    private readonly DataConnection _data;
    private readonly ILogger _logger;

    public PredictJobHandler(ModelRepositoryManager manager, JobsOptions options, DataConnection data, ILogger<PredictJobHandler> logger)
    {
        _manager = manager;
        _options = options;
        _data = data;
        _logger = logger;
    }

    public string Kind => PredictSpec.JobKind;

    public async Task<JsonNode?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        PredictSpec spec;
        try
        {
            spec = PredictSpec.Parse(context.Job.Payload, []);
        }
        catch (JobException ex)
        {
            throw new PermanentJobFailureException(ex.Message, ex);
        }

        ModelLease lease;
        try
        {
            lease = _manager.Acquire(spec.Model, spec.Version);
        }
        catch (InferenceException ex) when (ex.Kind == InferenceErrorKind.NotFound)
        {
            throw new PermanentJobFailureException(ex.Message, ex);
        }

        using (lease)
        {
            var model = lease.Model;
            var input = CheckInput(model);
            await using var source = await OpenSourceAsync(spec, cancellationToken);
            var key = IndexOf(source.Columns, spec.KeyColumn)
                ?? throw new PermanentJobFailureException($"the input has no key column '{spec.KeyColumn}'; its columns are: {string.Join(", ", source.Columns)}");
            var features = FeatureColumns(model, source.Columns, key);
            if (input.Shape[1] > 0 && input.Shape[1] != features.Length)
            {
                throw new PermanentJobFailureException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"model '{model.Name}' takes {input.Shape[1]} columns, but the input gives {features.Length} ({string.Join(", ", features.Select(f => source.Columns[f]))})"));
            }

            var rowsPerRun = ChunkRows;
            if (model.MaxBatchSize > 0)
            {
                rowsPerRun = Math.Min(rowsPerRun, model.MaxBatchSize);
            }

            if (input.Shape[0] > 0)
            {
                rowsPerRun = input.Shape[0] == 1 ? 1 : throw new PermanentJobFailureException($"model '{model.Name}' takes exactly {input.Shape[0]} rows per run; batch prediction needs a dynamic first dimension or 1");
            }

            var sinkPath = spec.OutputCsv is null ? null : OutputFiles.Resolve(_options, spec.OutputCsv, context.Job.Id);
            await using var sink = spec.OutputTable is not null ? PredictionSink.Table(_data, spec.OutputTable, context.Job.Id) : PredictionSink.Csv(sinkPath!, context.Job.Id);
            await context.LogAsync($"predicting with {model.Name} version {model.Version} into {sink.Description}", cancellationToken);

            long done = 0;
            IReadOnlyList<DataColumn>? columns = null;
            var keys = new List<object?>(rowsPerRun);
            var values = new double[rowsPerRun * features.Length];
            while (true)
            {
                keys.Clear();
                while (keys.Count < rowsPerRun && await ReadAsync(source, spec, cancellationToken) is { } row)
                {
                    var r = keys.Count;
                    keys.Add(row[key]);
                    for (var f = 0; f < features.Length; f++)
                    {
                        values[(r * features.Length) + f] = ToDouble(row[features[f]], source.Columns[features[f]], done + r + 1);
                    }
                }

                if (keys.Count == 0)
                {
                    break;
                }

                var rows = await RunAsync(model, input, spec.AllOutputs, keys, values, features.Length, cancellationToken);
                columns ??= Columns(spec, keys[0], rows.Outputs);
                await sink.WriteAsync(columns, rows.Rows, cancellationToken);
                done += keys.Count;
                var total = source.Total ?? done;
                var percent = total == 0 ? 100 : (int)Math.Min(99, done * 100 / Math.Max(total, 1));
                await context.ReportProgressAsync(percent, string.Create(CultureInfo.InvariantCulture, $"{done} of {total} rows"), cancellationToken);
            }

            columns ??= [new DataColumn(spec.KeyColumn, DataColumnType.Text), new DataColumn(VersionColumn, DataColumnType.Integer), new DataColumn(PredictionColumn, DataColumnType.Text)];
            await sink.CompleteAsync(columns, cancellationToken);
            await context.LogAsync(string.Create(CultureInfo.InvariantCulture, $"wrote {done} predictions to {sink.Description}"), cancellationToken);
            LogPredicted(_logger, context.Job.Id, done, model.Name, model.Version);
            return new JsonObject
            {
                ["model"] = model.Name,
                ["version"] = model.Version,
                ["rows"] = done,
                ["output"] = spec.OutputTable is not null ? new JsonObject { ["table"] = spec.OutputTable } : new JsonObject { ["csv"] = spec.OutputCsv, ["path"] = OutputFiles.DirectoryName + "/" + spec.OutputCsv },
            };
        }
    }

    private static async Task<object?[]?> ReadAsync(PredictionSource source, PredictSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            return await source.ReadAsync(cancellationToken);
        }
        catch (FormatException ex)
        {
            throw new PermanentJobFailureException($"the input file '{spec.InputCsv}': {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is DataQueryLimitException or JobException)
        {
            throw new PermanentJobFailureException(ex.Message, ex);
        }
    }

    private static NodeInfo CheckInput(LoadedModel model)
    {
        if (model.Signature.Inputs.Count != 1)
        {
            throw new PermanentJobFailureException($"model '{model.Name}' has {model.Signature.Inputs.Count} inputs; batch prediction needs a model with one input of shape [rows, features]");
        }

        var input = model.Signature.Inputs[0];
        if (input.ElementType is not (TensorElementType.Float or TensorElementType.Double) || input.Shape.Length != 2)
        {
            throw new PermanentJobFailureException($"batch prediction needs an FP32 or FP64 input of shape [rows, features]; '{input.Name}' is {TensorDataTypes.Name(input.ElementType)} {TensorShape.Format(input.Shape)}");
        }

        return input;
    }

    private static int? IndexOf(IReadOnlyList<string> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        // PostgreSQL folds unquoted names to lowercase.
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return null;
    }

    private static int[] FeatureColumns(LoadedModel model, IReadOnlyList<string> columns, int key)
    {
        var features = model.Config.Features;
        if (features.Count == 0)
        {
            return [.. Enumerable.Range(0, columns.Count).Where(i => i != key)];
        }

        var indices = new int[features.Count];
        for (var i = 0; i < features.Count; i++)
        {
            indices[i] = IndexOf(columns, features[i])
                ?? throw new PermanentJobFailureException($"the input has no column '{features[i]}', a feature of model '{model.Name}'; its columns are: {string.Join(", ", columns)}");
        }

        return indices;
    }

    private static double ToDouble(object? value, string column, long row)
    {
        switch (value)
        {
            case string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed):
                return parsed;
            case long or int or short or byte or double or float or decimal:
                return Convert.ToDouble(value, CultureInfo.InvariantCulture);
            case bool b:
                return b ? 1 : 0;
            case null:
                throw new PermanentJobFailureException(string.Create(CultureInfo.InvariantCulture, $"row {row}, column '{column}': empty"));
            default:
                // The value itself is never shown: it may be private data from the database.
                throw new PermanentJobFailureException(string.Create(CultureInfo.InvariantCulture, $"row {row}, column '{column}': not a number"));
        }
    }

    private static async Task<(List<object?[]> Rows, List<(string Name, int PerRow, TensorElementType Type)> Outputs)> RunAsync(
        LoadedModel model, NodeInfo input, bool allOutputs, List<object?> keys, double[] values, int width, CancellationToken cancellationToken)
    {
        var rows = keys.Count;
        using var request = new InferenceRequest();
        var tensor = InputTensor.Allocate(input.Name, input.ElementType, [rows, width]);
        request.Inputs.Add(tensor);
        var data = tensor.Data.Span;
        for (var i = 0; i < rows * width; i++)
        {
            if (input.ElementType == TensorElementType.Float)
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.Slice(i * 4, 4), (float)values[i]);
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(data.Slice(i * 8, 8), values[i]);
            }
        }

        request.Protocol = "job";
        request.RequestedOutputs = allOutputs ? null : model.Signature.FirstOutputSelection;
        using var result = await model.InferAsync(request, cancellationToken);
        var outputs = new List<(string, int, TensorElementType)>();
        var table = new List<object?[]>(rows);
        var count = result.Outputs.Length;
        for (var r = 0; r < rows; r++)
        {
            var row = new object?[2 + count + 1];
            row[0] = keys[r];
            row[1] = result.ModelVersion;
            table.Add(row);
        }

        for (var o = 0; o < count; o++)
        {
            var output = result.Outputs[o];
            var perRow = (int)(output.ElementCount / Math.Max(rows, 1));
            outputs.Add((output.Name, perRow, output.ElementType));
            var strings = output.ElementType == TensorElementType.String ? output.GetStrings() : null;
            var bytes = strings is null ? output.Bytes : default;
            for (var r = 0; r < rows; r++)
            {
                if (perRow == 1)
                {
                    table[r][2 + o] = Element(output.ElementType, bytes, strings, r);
                    continue;
                }

                var json = new StringBuilder("[");
                for (var e = 0; e < perRow; e++)
                {
                    json.Append(e == 0 ? string.Empty : ",");
                    var element = Element(output.ElementType, bytes, strings, (r * perRow) + e);
                    // A JSON string, quoted without JsonSerializer's reflection (Native AOT has none).
                    if (element is string s)
                    {
                        json.Append('"').Append(JsonEncodedText.Encode(s).Value).Append('"');
                    }
                    else
                    {
                        json.Append(CsvWriter.Format(element));
                    }
                }

                table[r][2 + o] = json.Append(']').ToString();
            }
        }

        return (table, outputs);
    }

    private static object? Element(TensorElementType type, ReadOnlySpan<byte> bytes, byte[][]? strings, int index)
    {
        var size = type == TensorElementType.String ? 0 : TensorDataTypes.ElementSize(type);
        var e = size == 0 ? default : bytes.Slice(index * size, size);
        return type switch
        {
            TensorElementType.Float => (double)BinaryPrimitives.ReadSingleLittleEndian(e),
            TensorElementType.Double => BinaryPrimitives.ReadDoubleLittleEndian(e),
            TensorElementType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(e),
            TensorElementType.BFloat16 => (double)BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e) << 16),
            TensorElementType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(e),
            TensorElementType.Int32 => (long)BinaryPrimitives.ReadInt32LittleEndian(e),
            TensorElementType.Int16 => (long)BinaryPrimitives.ReadInt16LittleEndian(e),
            TensorElementType.Int8 => (long)(sbyte)e[0],
            TensorElementType.UInt8 => (long)e[0],
            TensorElementType.UInt16 => (long)BinaryPrimitives.ReadUInt16LittleEndian(e),
            TensorElementType.UInt32 => (long)BinaryPrimitives.ReadUInt32LittleEndian(e),
            TensorElementType.UInt64 => unchecked((long)BinaryPrimitives.ReadUInt64LittleEndian(e)),
            TensorElementType.Bool => e[0] != 0 ? 1L : 0L,
            TensorElementType.String => Encoding.UTF8.GetString(strings![index]),
            _ => null,
        };
    }

    private static List<DataColumn> Columns(PredictSpec spec, object? firstKey, List<(string Name, int PerRow, TensorElementType Type)> outputs)
    {
        var columns = new List<DataColumn>
        {
            new(spec.KeyColumn, firstKey is long or int or short or byte ? DataColumnType.Integer : DataColumnType.Text),
            new(VersionColumn, DataColumnType.Integer),
        };
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { spec.KeyColumn, VersionColumn, PredictionSink.JobIdColumn };
        foreach (var (name, perRow, type) in outputs)
        {
            var column = spec.AllOutputs ? ColumnName(name) : PredictionColumn;
            while (!used.Add(column))
            {
                column = column.Length < 59 ? column + "_out" : "_" + column[..58];
            }

            var columnType = perRow != 1 || type == TensorElementType.String ? DataColumnType.Text
                : type is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or TensorElementType.BFloat16 ? DataColumnType.Real
                : DataColumnType.Integer;
            columns.Add(new DataColumn(column, columnType));
        }

        return columns;
    }

    /// <summary>An output's name as a column name: other characters become '_', and it starts with a letter or '_'.</summary>
    private static string ColumnName(string output)
    {
        var chars = output.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').Take(62).ToArray();
        var name = new string(chars);
        return name.Length == 0 || char.IsAsciiDigit(name[0]) ? "_" + name : name;
    }

    private async Task<PredictionSource> OpenSourceAsync(PredictSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            if (spec.InputCsv is not null)
            {
                var path = Resolve(spec.InputCsv);
                return File.Exists(path)
                    ? PredictionSource.OpenCsv(path, cancellationToken)
                    : throw new PermanentJobFailureException($"the input file '{spec.InputCsv}' does not exist in the data directory");
            }

            return await PredictionSource.OpenQueryAsync(_data, spec.InputQuery!, _options.SqlLimits, cancellationToken);
        }
        catch (FormatException ex)
        {
            throw new PermanentJobFailureException($"the input file '{spec.InputCsv}': {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is JobException or DataQueryLimitException)
        {
            throw new PermanentJobFailureException(ex.Message, ex);
        }
    }

    private string Resolve(string name)
    {
        try
        {
            return DataFiles.Resolve(_options.DataDirectory, name);
        }
        catch (ArgumentException ex)
        {
            throw new PermanentJobFailureException(UserMessages.Of(ex), ex);
        }
    }

    [LoggerMessage(EventId = 1420, Level = LogLevel.Information, Message = "Job {JobId} wrote {Rows} predictions of model {Model} version {Version}")]
    private static partial void LogPredicted(ILogger logger, long jobId, long rows, string model, long version);
}
