using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modelhost.Server;
using Modelhost.Server.Configuration;
using Modelhost.Workflows;

namespace Modelhost.Commands;

/// <summary><c>modelhost serve</c>: runs the server until SIGTERM or Ctrl+C.</summary>
internal static class ServeCommand
{
    public const int ExitConfigError = 1;
    public const int ExitPortInUse = 2;

    public static Command Create()
    {
        var models = new Option<string?>("--models") { Description = "The model repository directory (default ./models)." };
        var urls = new Option<string?>("--urls") { Description = "The URLs to listen on, separated by ';' (default http://127.0.0.1:8080, or http://0.0.0.0:$PORT when PORT is set)." };
        var poll = new Option<double?>("--poll-seconds") { Description = "Look for new, changed and removed model versions this often (default 2; 0 turns polling off)." };
        var grpcUrls = new Option<string?>("--grpc-urls") { Description = "The gRPC (KServe V2 / Triton) URLs, separated by ';' (default http://127.0.0.1:8081; '' turns gRPC off)." };
        var config = new Option<string?>("--config") { Description = $"A YAML file of server settings (default: ${EnvironmentSettings.ConfigVariable}, or ./{ConfigKeysFile.DefaultPath} when it exists); MODELHOST_* variables override it, and flags override both. Its API keys are reloaded when it changes." };
        var allowAnonymous = new Option<bool>("--allow-anonymous") { Description = "Serve clients without an API key on non-loopback addresses too (logged as a warning at every start)." };
        var verbose = new Option<bool>("--verbose") { Description = "Log every request (Debug level)." };
        var logFormat = new Option<string?>("--log-format") { Description = "console (default) or json: one JSON object per line with the trace and request ids." };
        var dataDir = new Option<string?>("--data-dir") { Description = "The data directory: the jobs' SQLite file and the CSV files jobs read and write (default ./data)." };
        var database = new Option<string?>("--database") { Description = "The jobs' database: a PostgreSQL connection string or postgres:// URL (default: SQLite in the data directory)." };
        var modelDir = new Option<string?>("--model-dir") { Description = "KServe's name for the model directory (/mnt/models): a repository, or one model (model.onnx in it, or version directories 1/, 2/...) served as --model-name." };
        var modelName = new Option<string?>("--model-name") { Description = "The name to serve the model directory under when it holds one model (KServe's InferenceService name)." };
        var command = new Command("serve", "Serve the models in a repository.") { models, urls, grpcUrls, poll, config, verbose, dataDir, database, allowAnonymous, modelDir, modelName, logFormat };
        command.SetAction((result, cancellationToken) => RunAsync(
            (result.GetValue(models), result.GetValue(modelDir), result.GetValue(modelName)),
            (result.GetValue(urls), result.GetValue(grpcUrls)),
            result.GetValue(poll),
            result.GetValue(config),
            (result.GetValue(verbose) ? Flags.Verbose : Flags.None) | (result.GetValue(allowAnonymous) ? Flags.AllowAnonymous : Flags.None),
            (result.GetValue(dataDir), result.GetValue(database)),
            result.GetValue(logFormat),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync((string? Repository, string? Directory, string? Name) models, (string? Http, string? Grpc) urls, double? pollSeconds, string? configPath, Flags flags, (string? DataDir, string? Database) jobs, string? logFormat, CancellationToken cancellationToken)
    {
        ServerOptions options;
        string connections;
        try
        {
            var environment = EnvironmentSettings.Snapshot();
            configPath ??= environment.TryGetValue(EnvironmentSettings.ConfigVariable, out var fromEnvironment) && fromEnvironment.Length > 0
                ? fromEnvironment
                : File.Exists(ConfigKeysFile.DefaultPath) ? ConfigKeysFile.DefaultPath : null;

            // The flags are the highest layer, over the environment, the file and the defaults.
            var commandLine = new List<ConfigSetting>();
            void Flag(string key, string? value, string flag)
            {
                if (value is not null)
                {
                    commandLine.Add(new ConfigSetting(key, value, flag));
                }
            }

            Flag("models", models.Repository, "--models");
            Flag("model_dir", models.Directory, "--model-dir");
            Flag("model_name", models.Name, "--model-name");
            Flag("urls", urls.Http, "--urls");
            Flag("grpc:urls", urls.Grpc, "--grpc-urls");
            Flag("poll_seconds", pollSeconds?.ToString("R", CultureInfo.InvariantCulture), "--poll-seconds");
            Flag("jobs:data_dir", jobs.DataDir, "--data-dir");
            Flag("jobs:database", jobs.Database, "--database");
            Flag("auth:allow_anonymous", flags.HasFlag(Flags.AllowAnonymous) ? "true" : null, "--allow-anonymous");
            Flag("verbose", flags.HasFlag(Flags.Verbose) ? "true" : null, "--verbose");
            Flag("log_format", logFormat, "--log-format");
            options = ServerConfigFile.Load(new ServerConfigSources { File = configPath, Environment = environment, CommandLine = commandLine });

            try
            {
                _ = Modelhost.Jobs.DatabaseLocator.Locate(options.Jobs.DataDirectory, options.Jobs.Database);
            }
            catch (ArgumentException ex)
            {
                throw new ServerConfigException($"jobs.database (--database): {UserMessages.Of(ex)}");
            }

            if (!Directory.Exists(options.Repository.Root))
            {
                throw new ServerConfigException($"the model repository '{options.Repository.Root}' does not exist (set --models, or --model-dir)");
            }

            if (!options.Security.HasCredentials && !options.Security.AllowAnonymous && (FirstNonLoopback(options.Urls) ?? (options.Grpc.Enabled ? FirstNonLoopback(options.Grpc.Urls) : null)) is { } exposed)
            {
                throw new ServerConfigException(
                    $"{exposed} is not a loopback address and no API keys exist, so anyone who can reach it would control this server; " +
                    "create a key with 'modelhost token create --name NAME --role infer' (it goes into the config file), or pass --allow-anonymous " +
                    $"(or set {EnvironmentSettings.Prefix}AUTH__ALLOW_ANONYMOUS=true)");
            }

            // An https URL without tls, a certificate or signing key that cannot be used, too few file descriptors for
            // limits.max_connections: configuration errors too.
            connections = ModelhostServer.Prepare(options);

            // Load ONNX Runtime now, so a missing or unusable library is one clear line, not a failed first model.
            _ = options.Repository.Engine.Version;
        }
        catch (Exception ex) when (ex is ServerConfigException or Modelhost.Core.Engine.EngineLibraryException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return ExitConfigError;
        }

        // A taken port is found before any model is loaded or any job worker starts on the database.
        if ((BusyPort(options.Urls, "--urls") ?? (options.Grpc.Enabled ? BusyPort(options.Grpc.Urls, "--grpc-urls") : null)) is { } busy)
        {
            await Console.Error.WriteLineAsync($"error: {busy}");
            return ExitPortInUse;
        }

        await using var app = ModelhostServer.Build(options, logging =>
        {
            // A failed start is reported below in one line; the host's own report carries a stack trace.
            logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
            if (options.Verbose)
            {
                logging.SetMinimumLevel(LogLevel.Debug);
                logging.AddFilter("Microsoft", LogLevel.Warning);
            }
        });

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is AddressInUseException || ex.InnerException is AddressInUseException)
        {
            var message = PortInUseMessage(options.Urls, "--urls")
                ?? (options.Grpc.Enabled ? PortInUseMessage(options.Grpc.Urls, "--grpc-urls") : null)
                ?? $"an address in {options.Urls} is in use; choose another with --urls";
            await Console.Error.WriteLineAsync($"error: {message}");
            return ExitPortInUse;
        }
        catch (System.Data.Common.DbException ex)
        {
            await Console.Error.WriteLineAsync($"error: cannot open the job database: {ex.Message}");
            return ExitConfigError;
        }

        var startup = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Modelhost.Serve");
        startup.LogInformation(1004, "Connections: {Limits}", connections);
        if (!options.Security.HasCredentials && options.Security.AllowAnonymous)
        {
            startup.LogWarning(1002, "--allow-anonymous: clients without an API key are served from every address, with every role; create keys with 'modelhost token create'");
        }
        else if (!options.Security.HasCredentials)
        {
            startup.LogInformation(1003, "No API keys: serving anonymous clients on loopback only");
        }

        await app.WaitForShutdownAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>The first URL whose host is not a loopback name or address (a wildcard such as 0.0.0.0, * or + binds every address).</summary>
    internal static string? FirstNonLoopback(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var start = url.IndexOf("://", StringComparison.Ordinal);
            var rest = start < 0 ? url : url[(start + 3)..];
            string host;
            if (rest.StartsWith('['))
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                host = close < 0 ? rest : rest[1..close];
            }
            else
            {
                var end = rest.IndexOfAny([':', '/']);
                host = end < 0 ? rest : rest[..end];
            }

            var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
            if (!loopback)
            {
                return url;
            }
        }

        return null;
    }

    [Flags]
    private enum Flags
    {
        None = 0,
        Verbose = 1,
        AllowAnonymous = 2,
    }

    /// <summary>The message naming the first taken port of <paramref name="urls"/> and the flag that moves it, or null.</summary>
    private static string? PortInUseMessage(string urls, string flag)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            {
                continue;
            }

            var port = uri.Port;
            if (!IsFree(port))
            {
                var owner = PortOwner.Find(port);
                return owner is null
                    ? string.Create(CultureInfo.InvariantCulture, $"port {port} is in use by another process ({url}); choose another with {flag}")
                    : string.Create(CultureInfo.InvariantCulture, $"port {port} is in use by process {owner.Value.Pid} ({owner.Value.Name}); choose another with {flag}");
            }
        }

        return null;
    }

    /// <summary>
    /// Binds each URL's address and port for a moment: the message naming the first port that is taken (and its
    /// process when it can be found), or null when all are free. Port 0 and names other than localhost are left to Kestrel.
    /// </summary>
    internal static string? BusyPort(string urls, string flag)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Port <= 0)
            {
                continue;
            }

            var address = uri.IsLoopback && !IPAddress.TryParse(uri.Host, out _) ? IPAddress.Loopback
                : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed
                : null;
            if (address is null || IsFree(address, uri.Port))
            {
                continue;
            }

            var owner = PortOwner.Find(uri.Port);
            return owner is null
                ? string.Create(CultureInfo.InvariantCulture, $"port {uri.Port} is in use by another process ({url}); nothing was loaded; choose another with {flag}")
                : string.Create(CultureInfo.InvariantCulture, $"port {uri.Port} is in use by process {owner.Value.Pid} ({owner.Value.Name}); nothing was loaded; choose another with {flag}");
        }

        return null;
    }

    private static bool IsFree(int port) => IsFree(IPAddress.Loopback, port);

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(address, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
