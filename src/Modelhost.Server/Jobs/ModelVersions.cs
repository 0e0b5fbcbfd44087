using System.Globalization;

namespace Modelhost.Server.Jobs;

/// <summary>The version directories of one model on disk, and the marker files that say which job made a version.</summary>
internal static class ModelVersions
{
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

    private static bool TryParse(string name, out long version) =>
        long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0 && name[0] != '0';
}
