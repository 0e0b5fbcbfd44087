using System.Globalization;
using Modelhost.Core.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Modelhost.Server.Configuration;

/// <summary>
/// Reads the server's YAML settings file (<c>modelhost serve --config FILE</c>). Every key is checked at
/// startup; an unknown key or a bad value stops the server with a message naming the file, line and key.
/// </summary>
public static partial class ServerConfigFile
{
    private const long MaxBytes = 64 * 1024;

    private static readonly string[] TopKeys = ["urls", "models", "poll_seconds", "max_request_body_bytes", "shutdown_timeout_seconds", "session", "jobs", "forecasting", "auth", "tls", "limits"];
    private static readonly string[] JobsKeys =
    [
        "enabled", "data_dir", "database", "training_workers", "prediction_workers", "lease_seconds", "heartbeat_seconds",
        "poll_seconds", "shutdown_grace_seconds", "forecast_horizon", "allow_sql_from_api", "sql_timeout_seconds", "sql_max_rows",
    ];

    private static readonly string[] ForecastingKeys = ["observations", "predictions_table"];
    private static readonly string[] ObservationsKeys = ["table", "key_column", "time_column", "value_column"];

    private static readonly string[] SessionKeys = ["intra_op_threads", "inter_op_threads", "graph_optimization_level", "allow_spinning", "execution_providers"];

    /// <summary>Reads the file into a new <see cref="ServerOptions"/>.</summary>
    /// <exception cref="ServerConfigException">The file is missing, unreadable or invalid.</exception>
    public static ServerOptions Load(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxBytes)
            {
                throw new ServerConfigException($"{path}: the file is larger than {MaxBytes} bytes");
            }

            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new ServerConfigException($"{path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ServerConfigException($"{path}: {ex.Message}");
        }

        return Parse(text, path);
    }

    /// <summary>Parses YAML text; <paramref name="displayPath"/> names it in messages.</summary>
    public static ServerOptions Parse(string yaml, string displayPath)
    {
        var options = new ServerOptions();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ServerConfigException($"{displayPath}:{ex.Start.Line}: invalid YAML: {ex.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return options;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ServerConfigException($"{displayPath}: the file must be a mapping of keys to values");
        }

        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            switch (key)
            {
                case "urls":
                    options.Urls = String(value, key, displayPath);
                    break;
                case "models":
                    options.Repository.Root = String(value, key, displayPath);
                    break;
                case "poll_seconds":
                    options.Repository.PollInterval = TimeSpan.FromSeconds(Number(value, key, displayPath, 0, 86_400));
                    break;
                case "max_request_body_bytes":
                    options.MaxRequestBodyBytes = (long)Number(value, key, displayPath, 1024, 2L * 1024 * 1024 * 1024);
                    break;
                case "shutdown_timeout_seconds":
                    options.ShutdownTimeout = TimeSpan.FromSeconds(Number(value, key, displayPath, 0, 3600));
                    break;
                case "session":
                    ReadSession(value, options, displayPath);
                    break;
                case "jobs":
                    ReadJobs(value, options, displayPath);
                    break;
                case "forecasting":
                    ReadForecasting(value, options.Forecasting, displayPath);
                    break;
                case "auth":
                    ReadAuth(value, options.Security, displayPath);
                    break;
                case "tls":
                    ReadTls(value, options, displayPath);
                    break;
                case "limits":
                    ReadLimits(value, options.Limits, displayPath);
                    break;
                default:
                    throw Unknown(keyNode, key, displayPath, TopKeys);
            }
        }

        return options;
    }

    private static void ReadJobs(YamlNode node, ServerOptions options, string path)
    {
        if (node is not YamlMappingNode map)
        {
            throw new ServerConfigException($"{path}:{node.Start.Line}: jobs: expected a mapping");
        }

        var jobs = options.Jobs;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            var full = "jobs." + key;
            switch (key)
            {
                case "enabled":
                    jobs.Enabled = Bool(value, full, path);
                    break;
                case "allow_sql_from_api":
                    jobs.AllowSqlFromApi = Bool(value, full, path);
                    break;
                case "sql_timeout_seconds":
                    jobs.SqlTimeout = TimeSpan.FromSeconds(Number(value, full, path, 0.1, 86_400));
                    break;
                case "sql_max_rows":
                    jobs.SqlMaxRows = (long)Number(value, full, path, 1, 1_000_000_000);
                    break;
                case "data_dir":
                    jobs.DataDirectory = String(value, full, path);
                    break;
                case "database":
                    jobs.Database = String(value, full, path);
                    break;
                case "training_workers":
                    jobs.TrainingWorkers = (int)Number(value, full, path, 0, 64);
                    break;
                case "prediction_workers":
                    jobs.PredictionWorkers = (int)Number(value, full, path, 0, 64);
                    break;
                case "forecast_horizon":
                    jobs.ForecastHorizon = (int)Number(value, full, path, 1, Jobs.ForecastTables.MaxHorizon);
                    break;
                case "lease_seconds":
                    jobs.LeaseDuration = TimeSpan.FromSeconds(Number(value, full, path, 0.5, 3600));
                    break;
                case "heartbeat_seconds":
                    jobs.HeartbeatInterval = TimeSpan.FromSeconds(Number(value, full, path, 0.1, 3600));
                    break;
                case "poll_seconds":
                    jobs.PollInterval = TimeSpan.FromSeconds(Number(value, full, path, 0.05, 3600));
                    break;
                case "shutdown_grace_seconds":
                    jobs.ShutdownGrace = TimeSpan.FromSeconds(Number(value, full, path, 0, 3600));
                    break;
                default:
                    throw Unknown(keyNode, full, path, JobsKeys);
            }
        }

        if (jobs.HeartbeatInterval >= jobs.LeaseDuration)
        {
            throw new ServerConfigException($"{path}: jobs.heartbeat_seconds must be shorter than jobs.lease_seconds");
        }
    }

    private static void ReadForecasting(YamlNode node, Jobs.ForecastingOptions forecasting, string path)
    {
        foreach (var (keyNode, value, key) in Mapping(node, "forecasting", path))
        {
            var full = "forecasting." + key;
            switch (key)
            {
                case "predictions_table":
                    forecasting.PredictionsTable = Identifier(value, full, path);
                    break;
                case "observations":
                    foreach (var (columnNode, column, columnKey) in Mapping(value, full, path))
                    {
                        var columnFull = full + "." + columnKey;
                        switch (columnKey)
                        {
                            case "table":
                                forecasting.ObservationsTable = Identifier(column, columnFull, path);
                                break;
                            case "key_column":
                                forecasting.KeyColumn = Identifier(column, columnFull, path);
                                break;
                            case "time_column":
                                forecasting.TimeColumn = Identifier(column, columnFull, path);
                                break;
                            case "value_column":
                                forecasting.ValueColumn = Identifier(column, columnFull, path);
                                break;
                            default:
                                throw Unknown(columnNode, columnFull, path, ObservationsKeys);
                        }
                    }

                    break;
                default:
                    throw Unknown(keyNode, full, path, ForecastingKeys);
            }
        }

        if (string.Equals(forecasting.ObservationsTable, forecasting.PredictionsTable, StringComparison.OrdinalIgnoreCase))
        {
            throw new ServerConfigException($"{path}: forecasting.predictions_table must differ from forecasting.observations.table ('{forecasting.ObservationsTable}')");
        }

        if (forecasting.KeyColumn.Equals(forecasting.TimeColumn, StringComparison.OrdinalIgnoreCase)
            || forecasting.KeyColumn.Equals(forecasting.ValueColumn, StringComparison.OrdinalIgnoreCase)
            || forecasting.TimeColumn.Equals(forecasting.ValueColumn, StringComparison.OrdinalIgnoreCase))
        {
            throw new ServerConfigException($"{path}: forecasting.observations: key_column, time_column and value_column must be three different columns");
        }
    }

    private static IEnumerable<(YamlNode KeyNode, YamlNode Value, string Key)> Mapping(YamlNode node, string key, string path)
    {
        if (node is not YamlMappingNode map)
        {
            throw new ServerConfigException($"{path}:{node.Start.Line}: {key}: expected a mapping");
        }

        foreach (var (keyNode, value) in map.Children)
        {
            yield return (keyNode, value, ((YamlScalarNode)keyNode).Value ?? string.Empty);
        }
    }

    private static string Identifier(YamlNode node, string key, string path)
    {
        var text = String(node, key, path);
        return Modelhost.Jobs.Data.DataSql.IsValidIdentifier(text)
            ? text
            : throw new ServerConfigException($"{path}:{node.Start.Line}: {key}: '{text}' is not a valid table or column name: use letters, digits and '_', starting with a letter or '_', at most 63 characters");
    }

    private static void ReadSession(YamlNode node, ServerOptions options, string path)
    {
        if (node is not YamlMappingNode map)
        {
            throw new ServerConfigException($"{path}:{node.Start.Line}: session: expected a mapping");
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            var full = "session." + key;
            switch (key)
            {
                case "intra_op_threads":
                    options.Repository.IntraOpThreads = (int)Number(value, full, path, 0, 1024);
                    break;
                case "inter_op_threads":
                    options.Repository.InterOpThreads = (int)Number(value, full, path, 0, 1024);
                    break;
                case "allow_spinning":
                    options.Repository.AllowSpinning = Bool(value, full, path);
                    break;
                case "graph_optimization_level":
                    options.Repository.OptimizationLevel = String(value, full, path) switch
                    {
                        "disable" => OptimizationLevel.Disable,
                        "basic" => OptimizationLevel.Basic,
                        "extended" => OptimizationLevel.Extended,
                        "all" => OptimizationLevel.All,
                        var other => throw new ServerConfigException($"{path}:{value.Start.Line}: {full}: expected disable, basic, extended or all, got '{other}'"),
                    };
                    break;
                case "execution_providers":
                    try
                    {
                        // The same syntax as model.yaml's session.execution_providers: the default for models that don't say.
                        options.Repository.ExecutionProviders = ExecutionProviderConfig.ReadList(value, path, full);
                    }
                    catch (ModelConfigException ex)
                    {
                        throw new ServerConfigException(ex.Message);
                    }

                    break;
                default:
                    throw Unknown(keyNode, full, path, SessionKeys);
            }
        }
    }

    private static string String(YamlNode node, string key, string path) =>
        node is YamlScalarNode { Value: { Length: > 0 } text }
            ? text
            : throw new ServerConfigException($"{path}:{node.Start.Line}: {key}: expected a non-empty string");

    private static double Number(YamlNode node, string key, string path, double min, double max)
    {
        var text = node is YamlScalarNode scalar ? scalar.Value : null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ServerConfigException(string.Create(CultureInfo.InvariantCulture, $"{path}:{node.Start.Line}: {key}: expected a number from {min} to {max}, got '{text}'"));
        }

        return value;
    }

    private static ServerConfigException Unknown(YamlNode keyNode, string key, string path, string[] known) =>
        new($"{path}:{keyNode.Start.Line}: unknown key '{key}'; known keys are: {string.Join(", ", known)}");
}
