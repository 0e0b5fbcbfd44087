using System.Globalization;
using Microsoft.Data.Sqlite;
using Modelhost.Jobs;
using Modelhost.Jobs.Workers;

namespace Modelhost.Workflows;

/// <summary>
/// The files jobs write (a predict job's <c>output.csv</c>): under <c>&lt;data-dir&gt;/outputs/</c>, never a database file,
/// and never over a file that the same job did not write. Beside each output a hidden marker names the job that wrote it,
/// so a retried job may replace its own earlier output and nothing else.
/// </summary>
internal static class OutputFiles
{
    /// <summary>The folder under the data directory that output files go to.</summary>
    public const string DirectoryName = "outputs";

    private static readonly string[] s_databaseSuffixes = ["-wal", "-shm", "-journal"];

    /// <summary>The checks at submission: not a database file's name, and no existing file (a new job cannot own it).</summary>
    /// <exception cref="JobException">The name is a database file's (400), or the file already exists (<see cref="JobErrorKind.Conflict"/>, 409).</exception>
    public static void CheckAtSubmission(JobsOptions options, string name)
    {
        CheckName(options, name);
        string path;
        try
        {
            path = DataFiles.Resolve(options.DataDirectory, DirectoryName + "/" + name);
        }
        catch (ArgumentException ex)
        {
            throw new JobException(JobErrorKind.InvalidArgument, UserMessages.Of(ex));
        }

        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new JobException(JobErrorKind.Conflict, AlreadyExists(name));
        }
    }

    /// <summary>The full path of output <paramref name="name"/>, with its folder created; checked as at submission, except that this job's own file may exist.</summary>
    /// <exception cref="PermanentJobFailureException">The name is refused, or the file exists and another writer made it.</exception>
    public static string Resolve(JobsOptions options, string name, long jobId)
    {
        string path;
        try
        {
            CheckName(options, name);
            Directory.CreateDirectory(Path.Combine(options.DataDirectory, DirectoryName));
            path = DataFiles.Resolve(options.DataDirectory, DirectoryName + "/" + name);
        }
        catch (Exception ex) when (ex is ArgumentException or JobException)
        {
            throw new PermanentJobFailureException(UserMessages.Of(ex), ex);
        }

        CheckOwner(path, name, jobId);
        return path;
    }

    /// <summary>Moves the finished <paramref name="temporary"/> file to <paramref name="path"/>, marking it as this job's first.</summary>
    /// <exception cref="PermanentJobFailureException">Meanwhile a file that this job did not write appeared there.</exception>
    public static void Publish(string temporary, string path, long jobId)
    {
        var name = Path.GetFileName(path);
        var replacing = CheckOwner(path, name, jobId);
        File.WriteAllText(MarkerPath(path), jobId.ToString(CultureInfo.InvariantCulture));
        try
        {
            File.Move(temporary, path, overwrite: replacing);
        }
        catch (IOException ex) when (!replacing && File.Exists(path))
        {
            throw new PermanentJobFailureException(AlreadyExists(name), ex);
        }
    }

    /// <summary>Whether the file exists and is this job's (true), or does not exist (false).</summary>
    private static bool CheckOwner(string path, string name, long jobId)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return false;
        }

        var marker = MarkerPath(path);
        var owner = File.Exists(marker) && long.TryParse(File.ReadAllText(marker).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : (long?)null;
        return owner == jobId && File.Exists(path) ? true : throw new PermanentJobFailureException(AlreadyExists(name));
    }

    private static void CheckName(JobsOptions options, string name)
    {
        var file = name[(name.LastIndexOf('/') + 1)..];
        var database = DatabaseFileName(options);
        if (file.Equals(DatabaseLocator.SqliteFileName, StringComparison.OrdinalIgnoreCase)
            || (database is not null && file.StartsWith(database, StringComparison.OrdinalIgnoreCase) && (file.Length == database.Length || s_databaseSuffixes.Any(s => file.EndsWith(s, StringComparison.OrdinalIgnoreCase))))
            || s_databaseSuffixes.Any(s => file.EndsWith(DatabaseLocator.SqliteFileName + s, StringComparison.OrdinalIgnoreCase)))
        {
            throw new JobException(JobErrorKind.InvalidArgument, $"the output file '{name}' has the name of a database file; choose another name");
        }
    }

    /// <summary>The SQLite database's file name, when the jobs use SQLite.</summary>
    private static string? DatabaseFileName(JobsOptions options)
    {
        var location = DatabaseLocator.Locate(options.DataDirectory, options.Database);
        return location.Provider == JobDatabaseProvider.Sqlite
            ? Path.GetFileName(new SqliteConnectionStringBuilder(location.ConnectionString).DataSource)
            : null;
    }

    private static string MarkerPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".job");

    private static string AlreadyExists(string name) =>
        $"the output file '{name}' already exists in {DirectoryName}/ and was not written by this job; a job never replaces a file it did not write: choose another name";
}
