using System.Globalization;

namespace Modelhost.Core.Repository;

/// <summary>The names of the files a model repository's version directories hold: <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/&lt;file&gt;</c>.</summary>
public static class RepositoryLayout
{
    /// <summary>An ONNX model, served by ONNX Runtime.</summary>
    public const string ModelFile = "model.onnx";

    /// <summary>
    /// A fitted ETS forecaster (its parameters and final state, format <c>modelhost.ets/1</c>), which the per-country
    /// pipeline's training jobs write. A directory whose versions hold these and no ONNX model is listed apart and
    /// never loaded into a session.
    /// </summary>
    public const string ForecasterFile = "ets.json";

    /// <summary>Whether <paramref name="name"/> is a version directory's name: the one place that says so.</summary>
    /// <param name="name">A directory name under a model's directory.</param>
    /// <param name="version">The version it names.</param>
    public static bool TryParseVersion(string name, out long version) => TryParseVersion(name, out version, out _);

    /// <summary>
    /// Versions are positive integers written without sign or leading zeros, so each version has exactly one
    /// directory name ("01" and "1" cannot both claim version 1).
    /// </summary>
    internal static bool TryParseVersion(string name, out long version, out string? reason)
    {
        version = 0;
        if (name.StartsWith('.'))
        {
            reason = "hidden directory";
            return false;
        }

        if (name.Length == 0 || name.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            reason = "not a version: version directories are named 1, 2, 3, ...";
            return false;
        }

        if (name[0] == '0')
        {
            reason = name.AsSpan().ContainsAnyExcept('0')
                ? "leading zeros are not allowed in version directory names"
                : "version 0 is not allowed: versions start at 1";
            return false;
        }

        if (!long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            reason = "the version number is too large";
            return false;
        }

        reason = null;
        return true;
    }
}
