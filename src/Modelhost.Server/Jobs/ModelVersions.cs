using System.Globalization;

namespace Modelhost.Server.Jobs;

/// <summary>The version directories of one model on disk, and the marker files that say which job made a version.</summary>
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
            if (TryParse(Path.GetFileName(directory), out var version) && version > highest)
            {
                highest = version;
            }
        }

        return highest;
    }

    /// <summary>The version whose directory holds the marker of job <paramref name="jobId"/>, if a run of that job published one.</summary>
    public static long? FindByJob(string modelDirectory, long jobId)
    {
        if (!Directory.Exists(modelDirectory))
        {
            return null;
        }

        var marker = MarkerName(jobId);
        foreach (var directory in Directory.EnumerateDirectories(modelDirectory))
        {
            if (TryParse(Path.GetFileName(directory), out var version) && File.Exists(Path.Combine(directory, marker)))
            {
                return version;
            }
        }

        return null;
    }

    public static string MarkerName(long jobId) => ".job-" + jobId.ToString(CultureInfo.InvariantCulture);

    public static string StagingPrefix(long jobId) => ".staging-" + jobId.ToString(CultureInfo.InvariantCulture) + "-";

    /// <summary>Marks the staging directory as job <paramref name="jobId"/>'s, then renames it to the next free version (a rename is atomic).</summary>
    /// <returns>The version it became.</returns>
    public static long Publish(string staging, string modelDirectory, long jobId)
    {
        File.WriteAllText(Path.Combine(staging, MarkerName(jobId)), string.Empty);
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

    /// <summary>Removes what earlier attempts of job <paramref name="jobId"/> left in staging.</summary>
    public static void RemoveStaging(string modelDirectory, long jobId)
    {
        foreach (var directory in Directory.EnumerateDirectories(modelDirectory, StagingPrefix(jobId) + "*"))
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

    private static bool TryParse(string name, out long version) =>
        long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0 && name[0] != '0';
}
