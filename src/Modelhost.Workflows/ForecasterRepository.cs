using System.Globalization;
using Modelhost.Core.Repository;
using Modelhost.Jobs.Workers;
using Modelhost.Learning.Forecasting;

namespace Modelhost.Workflows;

/// <summary>
/// The fitted forecasters in the model repository, one model directory per series and one version per training:
/// <c>&lt;models&gt;/forecast-DE/3/ets.json</c>. Versions are published like a trainer's (staging directory, job marker,
/// atomic rename), so a retried training job publishes once, and an old version stays to compare or roll back to.
/// </summary>
internal sealed class ForecasterRepository
{
    /// <summary>The largest forecaster file read back; a fitted ETS model is a few kilobytes.</summary>
    public const long MaxArtifactBytes = 16L * 1024 * 1024;

    private readonly string _root;

    public ForecasterRepository(string root)
    {
        _root = Path.GetFullPath(root);
    }

    /// <summary>The repository model that holds the forecasters of series <paramref name="key"/>.</summary>
    public static string ModelName(string key) => ForecastingOptions.ModelPrefix + key;

    /// <summary>Writes <paramref name="model"/> as the next version of the series' forecaster, once per job (of store <paramref name="storeId"/>).</summary>
    /// <returns>The version, and whether an earlier attempt of the job had already published it.</returns>
    public (long Version, bool Existing) Publish(string key, EtsModel model, string storeId, long jobId)
    {
        if (!Directory.Exists(_root))
        {
            throw new PermanentJobFailureException($"the model repository '{_root}' does not exist");
        }

        var directory = Path.Combine(_root, ModelName(key));
        Directory.CreateDirectory(directory);
        if (ModelVersions.FindByJob(directory, storeId, jobId) is { } published)
        {
            return (published, true);
        }

        ModelVersions.RemoveStaging(directory, storeId, jobId);
        var staging = Path.Combine(directory, ModelVersions.StagingPrefix(storeId, jobId) + "0");
        Directory.CreateDirectory(staging);
        try
        {
            File.WriteAllText(Path.Combine(staging, RepositoryLayout.ForecasterFile), model.ToJson());
            return (ModelVersions.Publish(staging, directory, storeId, jobId), false);
        }
        catch
        {
            ModelVersions.TryDelete(staging);
            throw;
        }
    }

    /// <summary>Reads version <paramref name="version"/> of the series' forecaster.</summary>
    /// <exception cref="PermanentJobFailureException">It does not exist or cannot be read as a forecaster.</exception>
    public EtsModel Read(string key, long version)
    {
        var name = ModelName(key);
        var path = Path.Combine(_root, name, version.ToString(CultureInfo.InvariantCulture), RepositoryLayout.ForecasterFile);
        var display = $"{name}/{version.ToString(CultureInfo.InvariantCulture)}/{RepositoryLayout.ForecasterFile}";
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new PermanentJobFailureException($"the forecaster '{display}' is not in the model repository");
            }

            if (info.Length > MaxArtifactBytes)
            {
                throw new PermanentJobFailureException($"the forecaster '{display}' is {info.Length} bytes, more than the limit of {MaxArtifactBytes}");
            }

            return EtsModel.FromJson(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            throw new PermanentJobFailureException($"the forecaster '{display}' cannot be read: {ex.Message}", ex);
        }
    }
}
