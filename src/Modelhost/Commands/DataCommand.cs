using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using Modelhost.Jobs;
using Modelhost.Learning.Data;
using Modelhost.Learning.Forecasting;
using Modelhost.Server;
using Modelhost.Server.Configuration;
using Modelhost.Workflows;
using Modelhost.Workflows.Data;

namespace Modelhost.Commands;

/// <summary>
/// <c>modelhost data import FILE [--data-dir DIR | --database DB] [--config FILE]</c>: loads a long-format series CSV
/// (<c>series_key,ts,value</c>) into the observations table of the job database (the config's <c>forecasting</c> section
/// may name another table and columns), replacing the earlier rows of every series in the file in one transaction.
/// </summary>
internal static class DataCommand
{
    public const int ExitDataError = 1;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A CSV file: long format series_key,ts,value (one series as timestamp,value is named after the file)." };
        var dataDir = new Option<string?>("--data-dir") { Description = "The data directory: the jobs' SQLite file (default ./data)." };
        var database = new Option<string?>("--database") { Description = "The jobs' database: a PostgreSQL connection string or postgres:// URL (default: SQLite in the data directory)." };
        var config = new Option<string?>("--config") { Description = "The server's YAML settings file: its jobs.data_dir, jobs.database and forecasting table names apply; MODELHOST_* variables override it, and flags override both." };
        var import = new Command("import", "Load time series observations into the job database's observations table.") { file, dataDir, database, config };
        import.SetAction(async (result, cancellationToken) =>
        {
            ServerOptions options;
            try
            {
                // As serve reads them: the file, then MODELHOST_* variables, then the flags.
                List<ConfigSetting> flags = [];
                if (result.GetValue(dataDir) is { } directory)
                {
                    flags.Add(new ConfigSetting("jobs:data_dir", directory, "--data-dir"));
                }

                if (result.GetValue(database) is { } connection)
                {
                    flags.Add(new ConfigSetting("jobs:database", connection, "--database"));
                }

                options = ServerConfigFile.Load(new ServerConfigSources { File = result.GetValue(config), Environment = EnvironmentSettings.Snapshot(), CommandLine = flags });
            }
            catch (ServerConfigException ex)
            {
                return await FailAsync(ex.Message);
            }

            return await ImportAsync(
                result.GetValue(file)!,
                options.Jobs.DataDirectory,
                options.Jobs.Database,
                options.Forecasting,
                cancellationToken);
        });
        return new Command("data", "Manage the data in the job database.") { import };
    }

    private static async Task<int> ImportAsync(FileInfo file, string dataDirectory, string? database, ForecastingOptions forecasting, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            return await FailAsync($"the file '{file.FullName}' does not exist");
        }

        JobDatabaseLocation location;
        try
        {
            location = DatabaseLocator.Locate(dataDirectory, database);
        }
        catch (ArgumentException ex)
        {
            return await FailAsync($"--database: {UserMessages.Of(ex)}");
        }

        try
        {
            var data = SeriesCsv.Load(file.FullName);
            if (data.Series.Count == 0)
            {
                return await FailAsync($"{file.Name} holds no series");
            }

            if (location.Provider == JobDatabaseProvider.Sqlite)
            {
                Directory.CreateDirectory(dataDirectory);
            }

            var rows = await new ForecastTables(new DataConnection(location), forecasting).ImportAsync(data.Series, cancellationToken);
            await Console.Out.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"imported {rows} observations of {data.Series.Count} series ({string.Join(", ", data.Series.Take(10).Select(s => s.Name))}{(data.Series.Count > 10 ? ", ..." : string.Empty)})"));
            return 0;
        }
        catch (DatasetFormatException ex)
        {
            return await FailAsync($"{file.Name}: {ex.Message}");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or DbException or JobException)
        {
            return await FailAsync(UserMessages.Of(ex));
        }
    }

    /// <summary>Prints one line, <c>error: ...</c>, to stderr (never a stack trace) and gives the exit code.</summary>
    private static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync($"error: {message.TrimEnd('.')}.");
        return ExitDataError;
    }
}
