using System.Globalization;
using Modelhost.Core.Repository;

namespace Modelhost.Workflows;

/// <summary>
/// The version directories of one model on disk, and the marker files that say which job made a version. A marker names
/// the job store as well as the job (<c>.job-&lt;store id&gt;-&lt;job id&gt;</c>): job ids start at 1 in every new store,
/// so a marker of job 1 of an earlier store (or of another server's store sharing the repository) is never taken for
/// this store's job 1. Markers from before store ids (<c>.job-&lt;job id&gt;</c>) match no job at all.
/// </summary>
internal static class ModelVersions
{
    private const int MaxPublishAttempts = 20;

    /// <summary>The highest version directory under <paramref name="modelDirectory"/>, 0 when there is none.</summary>
    public static long Highest(string modelDirectory)
    {
        long highest = 0;
        if (!Directory.Exists(modelDirectory))
        {
            return 0;
        }

        foreach (var directory in Directory.EnumerateDirectories(modelDirectory))
        {
            if (RepositoryLayout.TryParseVersion(Path.GetFileName(directory), out var version) && version > highest)
            {
                highest = version;
            }
        }

        return highest;
    }

    /// <summary>The version whose directory holds the marker of job <paramref name="jobId"/> of store <paramref name="storeId"/>, if a run of that job published one.</summary>
    public static long? FindByJob(string modelDirectory, string storeId, long jobId)
    {
        if (!Directory.Exists(modelDirectory))
        {
            return null;
        }

        var marker = MarkerName(storeId, jobId);
        foreach (var directory in Directory.EnumerateDirectories(modelDirectory))
        {
            if (RepositoryLayout.TryParseVersion(Path.GetFileName(directory), out var version) && File.Exists(Path.Combine(directory, marker)))
            {
                return version;
            }
        }

        return null;
    }

    public static string MarkerName(string storeId, long jobId)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeId);
        return ".job-" + storeId + "-" + jobId.ToString(CultureInfo.InvariantCulture);
    }

    public static string StagingPrefix(string storeId, long jobId) => ".staging-" + storeId + "-" + jobId.ToString(CultureInfo.InvariantCulture) + "-";

    /// <summary>Marks the staging directory as job <paramref name="jobId"/>'s of store <paramref name="storeId"/>, then renames it to the next free version (a rename is atomic).</summary>
    /// <returns>The version it became.</returns>
    public static long Publish(string staging, string modelDirectory, string storeId, long jobId)
    {
        File.WriteAllText(
            Path.Combine(staging, MarkerName(storeId, jobId)),
            string.Create(CultureInfo.InvariantCulture, $"store {storeId}\njob {jobId}\n"));
        for (var i = 0; i < MaxPublishAttempts; i++)
        {
            var version = Highest(modelDirectory) + 1;
            var target = Path.Combine(modelDirectory, version.ToString(CultureInfo.InvariantCulture));
            try
            {
                Directory.Move(staging, target);
                return version;
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // Another trainer published this number first: take the next.
            }
        }

        throw new IOException($"could not find a free version number in '{modelDirectory}'");
    }

    /// <summary>Removes what earlier attempts of job <paramref name="jobId"/> of store <paramref name="storeId"/> left in staging.</summary>
    public static void RemoveStaging(string modelDirectory, string storeId, long jobId)
    {
        foreach (var directory in Directory.EnumerateDirectories(modelDirectory, StagingPrefix(storeId, jobId) + "*"))
        {
            TryDelete(directory);
        }
    }

    /// <summary>Deletes a directory and what it holds, quietly: a leftover is harmless and hidden from the repository scan.</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
