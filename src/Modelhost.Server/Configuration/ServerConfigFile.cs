using System.Globalization;
using Microsoft.Extensions.Configuration;
using Modelhost.Core.Configuration;
using Modelhost.Core.Repository;

namespace Modelhost.Server.Configuration;

/// <summary>
/// Reads the server's settings (<c>modelhost serve</c>): a <see cref="ConfigurationBuilder"/> layers the YAML file
/// (<c>--config FILE</c>), the <c>MODELHOST_</c> environment variables and the command line over the defaults, and the
/// result is bound to <see cref="ServerOptions"/>. Every key is checked at startup; an unknown key or a bad value stops
/// the server with a message naming the key and where it was set (file and line, variable, or flag).
/// </summary>
public static partial class ServerConfigFile
{
    private static readonly string[] TopKeys = ["urls", "models", "model_dir", "model_name", "poll_seconds", "max_request_body_bytes", "shutdown_timeout_seconds", "verbose", "session", "jobs", "forecasting", "auth", "tls", "limits", "metrics", "tracing", "log_format", "grpc"];
    private static readonly string[] JobsKeys =
    [
        "enabled", "data_dir", "database", "training_workers", "prediction_workers", "lease_seconds", "heartbeat_seconds",
        "poll_seconds", "shutdown_grace_seconds", "forecast_horizon", "allow_sql_from_api", "sql_timeout_seconds", "sql_max_rows",
        "max_unfinished",
    ];

    private static readonly string[] ForecastingKeys = ["observations", "predictions_table"];
    private static readonly string[] ObservationsKeys = ["table", "key_column", "time_column", "value_column"];

    private static readonly string[] SessionKeys = ["intra_op_threads", "inter_op_threads", "graph_optimization_level", "allow_spinning", "execution_providers"];

    /// <summary>
    /// How often <c>serve</c> polls the model repository when no layer says (<c>poll_seconds</c>), as TF Serving does;
    /// <c>--poll-seconds 0</c> turns polling off.
    /// </summary>
    public const double DefaultPollSeconds = 2;

    /// <summary>Reads the file alone into a new <see cref="ServerOptions"/>.</summary>
    /// <exception cref="ServerConfigException">The file is missing, unreadable or invalid.</exception>
    public static ServerOptions Load(string path) => Load(new ServerConfigSources { File = path });

    /// <summary>
    /// Reads every layer into a new <see cref="ServerOptions"/>, which remembers its sources (the key file watcher
    /// reads them again).
    /// </summary>
    /// <exception cref="ServerConfigException">A layer is unreadable or a setting invalid.</exception>
    public static ServerOptions Load(ServerConfigSources sources)
    {
        var layers = new List<Func<IReadOnlyList<ConfigSetting>>>
        {
            static () => [new ConfigSetting("poll_seconds", DefaultPollSeconds.ToString(CultureInfo.InvariantCulture), "the default")],
            () => EnvironmentSettings.Port(sources.Environment),
        };
        if (sources.File is { } file)
        {
            layers.Add(() => YamlSettings.Load(file));
        }

        layers.Add(() => EnvironmentSettings.Read(sources.Environment));
        layers.Add(() => sources.CommandLine);
        var options = Bind(layers);
        options.Security.ConfigPath = sources.File;
        options.Sources = sources;
        return options;
    }

    /// <summary>Parses YAML text alone; <paramref name="displayPath"/> names it in messages.</summary>
    public static ServerOptions Parse(string yaml, string displayPath) => Bind([() => YamlSettings.Read(yaml, displayPath)]);

    private static ServerOptions Bind(IEnumerable<Func<IReadOnlyList<ConfigSetting>>> layers)
    {
        var builder = new ConfigurationBuilder();
        foreach (var layer in layers)
        {
            builder.Add(new SettingsConfigurationSource(layer));
        }

        var options = new ServerOptions();
        ConfigNode? modelDirectory = null;
        foreach (var value in new ConfigNode(builder.Build()).Children)
        {
            switch (value.Key)
            {
                case "urls":
                    options.Urls = String(value);
                    CheckUrls(value, options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "models":
                case "model_dir":
                    // model_dir is KServe's name for it (--model-dir /mnt/models); one of the two, or they would disagree.
                    options.Repository.Root = modelDirectory is null
                        ? String(value)
                        : throw value.Fail($"{modelDirectory.Key} and {value.Key} both name the model directory: set one of them");
                    modelDirectory = value;
                    break;
                case "model_name":
                    options.Repository.SingleModelName = ModelName.TryValidate(String(value), out var nameError)
                        ? value.Value
                        : throw value.Fail(nameError);
                    break;
                case "poll_seconds":
                    options.Repository.PollInterval = TimeSpan.FromSeconds(Number(value, 0, 86_400));
                    break;
                case "max_request_body_bytes":
                    options.MaxRequestBodyBytes = (long)Number(value, 1024, 2L * 1024 * 1024 * 1024);
                    break;
                case "shutdown_timeout_seconds":
                    options.ShutdownTimeout = TimeSpan.FromSeconds(Number(value, 0, 3600));
                    break;
                case "verbose":
                    options.Verbose = Bool(value);
                    break;
                case "session":
                    ReadSession(value, options);
                    break;
                case "jobs":
                    ReadJobs(value, options);
                    break;
                case "forecasting":
                    ReadForecasting(value, options.Forecasting);
                    break;
                case "auth":
                    ReadAuth(value, options.Security);
                    break;
                case "tls":
                    ReadTls(value, options);
                    break;
                case "limits":
                    ReadLimits(value, options.Limits);
                    break;
                case "metrics":
                    ReadMetrics(value, options.Metrics);
                    break;
                case "grpc":
                    ReadGrpc(value, options.Grpc);
                    break;
                case "tracing":
                    ReadTracing(value, options.Tracing);
                    break;
                case "log_format":
                    options.LogFormat = ReadLogFormat(value);
                    break;
                default:
                    throw Unknown(value, TopKeys);
            }
        }

        return options;
    }

    private static void ReadJobs(ConfigNode node, ServerOptions options)
    {
        var jobs = options.Jobs;
        var timing = node;
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "enabled":
                    jobs.Enabled = Bool(value);
                    break;
                case "allow_sql_from_api":
                    jobs.AllowSqlFromApi = Bool(value);
                    break;
                case "sql_timeout_seconds":
                    jobs.SqlTimeout = TimeSpan.FromSeconds(Number(value, 0.1, 86_400));
                    break;
                case "sql_max_rows":
                    jobs.SqlMaxRows = (long)Number(value, 1, 1_000_000_000);
                    break;
                case "data_dir":
                    jobs.DataDirectory = String(value);
                    break;
                case "database":
                    jobs.Database = String(value);
                    break;
                case "training_workers":
                    jobs.TrainingWorkers = (int)Number(value, 0, 64);
                    break;
                case "prediction_workers":
                    jobs.PredictionWorkers = (int)Number(value, 0, 64);
                    break;
                case "max_unfinished":
                    jobs.MaxUnfinishedJobs = (int)Number(value, 1, 10_000_000);
                    break;
                case "forecast_horizon":
                    jobs.ForecastHorizon = (int)Number(value, 1, Workflows.ForecastTables.MaxHorizon);
                    break;
                case "lease_seconds":
                    jobs.LeaseDuration = TimeSpan.FromSeconds(Number(value, 0.5, 3600));
                    timing = value;
                    break;
                case "heartbeat_seconds":
                    jobs.HeartbeatInterval = TimeSpan.FromSeconds(Number(value, 0.1, 3600));
                    timing = value;
                    break;
                case "poll_seconds":
                    jobs.PollInterval = TimeSpan.FromSeconds(Number(value, 0.05, 3600));
                    break;
                case "shutdown_grace_seconds":
                    jobs.ShutdownGrace = TimeSpan.FromSeconds(Number(value, 0, 3600));
                    break;
                default:
                    throw Unknown(value, JobsKeys);
            }
        }

        if (jobs.HeartbeatInterval >= jobs.LeaseDuration)
        {
            throw timing.Fail("jobs.heartbeat_seconds must be shorter than jobs.lease_seconds");
        }
    }

    private static void ReadForecasting(ConfigNode node, Workflows.ForecastingOptions forecasting)
    {
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "predictions_table":
                    forecasting.PredictionsTable = Identifier(value);
                    break;
                case "observations":
                    foreach (var column in Mapping(value))
                    {
                        switch (column.Key)
                        {
                            case "table":
                                forecasting.ObservationsTable = Identifier(column);
                                break;
                            case "key_column":
                                forecasting.KeyColumn = Identifier(column);
                                break;
                            case "time_column":
                                forecasting.TimeColumn = Identifier(column);
                                break;
                            case "value_column":
                                forecasting.ValueColumn = Identifier(column);
                                break;
                            default:
                                throw Unknown(column, ObservationsKeys);
                        }
                    }

                    break;
                default:
                    throw Unknown(value, ForecastingKeys);
            }
        }

        if (string.Equals(forecasting.ObservationsTable, forecasting.PredictionsTable, StringComparison.OrdinalIgnoreCase))
        {
            throw node.Fail($"forecasting.predictions_table must differ from forecasting.observations.table ('{forecasting.ObservationsTable}')");
        }

        if (forecasting.KeyColumn.Equals(forecasting.TimeColumn, StringComparison.OrdinalIgnoreCase)
            || forecasting.KeyColumn.Equals(forecasting.ValueColumn, StringComparison.OrdinalIgnoreCase)
            || forecasting.TimeColumn.Equals(forecasting.ValueColumn, StringComparison.OrdinalIgnoreCase))
        {
            throw node.Fail("forecasting.observations: key_column, time_column and value_column must be three different columns");
        }
    }

    /// <summary>The keys of a mapping; an empty value is an empty mapping.</summary>
    private static IEnumerable<ConfigNode> Mapping(ConfigNode node) =>
        node.HasChildren ? node.Children
        : node.Value is null or "" ? []
        : throw node.Error("expected a mapping");

    private static string Identifier(ConfigNode node)
    {
        var text = String(node);
        return Modelhost.Workflows.Data.DataSql.IsValidIdentifier(text)
            ? text
            : throw node.Error($"'{text}' is not a valid table or column name: use letters, digits and '_', starting with a letter or '_', at most 63 characters");
    }

    private static void ReadSession(ConfigNode node, ServerOptions options)
    {
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "intra_op_threads":
                    options.Repository.IntraOpThreads = (int)Number(value, 0, 1024);
                    break;
                case "inter_op_threads":
                    options.Repository.InterOpThreads = (int)Number(value, 0, 1024);
                    break;
                case "allow_spinning":
                    options.Repository.AllowSpinning = Bool(value);
                    break;
                case "graph_optimization_level":
                    options.Repository.OptimizationLevel = String(value) switch
                    {
                        "disable" => OptimizationLevel.Disable,
                        "basic" => OptimizationLevel.Basic,
                        "extended" => OptimizationLevel.Extended,
                        "all" => OptimizationLevel.All,
                        var other => throw value.Error($"expected disable, basic, extended or all, got '{other}'"),
                    };
                    break;
                case "execution_providers":
                    // The same entries as model.yaml's session.execution_providers: the default for models that don't say.
                    options.Repository.ExecutionProviders = ExecutionProviders(value);
                    break;
                default:
                    throw Unknown(value, SessionKeys);
            }
        }
    }

    /// <summary>A list of provider names or of mappings with a name and options, taken whole from the highest layer that sets it.</summary>
    private static List<ExecutionProviderConfig> ExecutionProviders(ConfigNode node)
    {
        var top = node.Top;
        var items = top.HasChildren ? top.Children.ToList() : [top];
        if (items.Count == 0 || (items.Count == 1 && !items[0].HasChildren && string.IsNullOrEmpty(items[0].Value)))
        {
            throw top.Error($"list at least one execution provider ({ExecutionProviderConfig.KnownNames})");
        }

        var providers = new List<ExecutionProviderConfig>(items.Count);
        foreach (var item in items)
        {
            string name;
            var options = new List<KeyValuePair<string, string>>();
            if (item.HasChildren)
            {
                foreach (var option in item.Children)
                {
                    options.Add(new(option.Key, option.HasChildren ? throw option.Error("expected a value") : option.Value ?? string.Empty));
                }

                name = options.Find(o => o.Key == "name").Value ?? throw item.Error($"an execution provider given as a mapping needs a name ({ExecutionProviderConfig.KnownNames})");
            }
            else
            {
                name = String(item);
            }

            try
            {
                var provider = ExecutionProviderConfig.Create(name, options);
                providers.Add(providers.Exists(p => p.Kind == provider.Kind)
                    ? throw item.Error($"execution provider '{provider.Name}' is listed twice")
                    : provider);
            }
            catch (FormatException ex)
            {
                throw item.Error(ex.Message);
            }
        }

        return providers;
    }

    private static string String(ConfigNode node) =>
        node.Value is { Length: > 0 } text && !node.HasChildren
            ? text
            : throw node.Error("expected a non-empty string");

    private static double Number(ConfigNode node, double min, double max)
    {
        var text = node.HasChildren ? null : node.Value;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw node.Error(string.Create(CultureInfo.InvariantCulture, $"expected a number from {min} to {max}, got '{text}'"));
        }

        return value;
    }

    private static ServerConfigException Unknown(ConfigNode node, string[] known) =>
        node.Fail($"unknown key '{node.Name}'; known keys are: {string.Join(", ", known)}");
}
