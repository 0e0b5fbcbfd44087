using Microsoft.Extensions.Configuration;

namespace Modelhost.Server.Configuration;

/// <summary>
/// A configuration provider over a list of <see cref="ConfigSetting"/>s that remembers where each key was set, so that
/// an error can name the file and line, the environment variable or the flag to fix.
/// </summary>
internal sealed class SettingsConfigurationProvider(Func<IReadOnlyList<ConfigSetting>> read) : ConfigurationProvider
{
    private readonly Dictionary<string, string> _origins = new(StringComparer.OrdinalIgnoreCase);

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        _origins.Clear();
        foreach (var setting in read())
        {
            _origins[setting.Key] = setting.Origin;
            if (!setting.IsSection)
            {
                data[setting.Key] = setting.Value;
            }
        }

        Data = data;
    }

    /// <summary>Where this layer sets the key, or, for a mapping or list, its first entry; null when the layer does not.</summary>
    public string? Origin(string key)
    {
        if (_origins.TryGetValue(key, out var origin))
        {
            return origin;
        }

        var prefix = key + ConfigurationPath.KeyDelimiter;
        foreach (var (entry, where) in _origins)
        {
            if (entry.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return where;
            }
        }

        return null;
    }

    /// <summary>The distinct child keys of a key in this layer alone, in configuration order (indices numerically).</summary>
    public IEnumerable<string> ChildKeys(string? key) =>
        GetChildKeys([], key).Distinct(StringComparer.OrdinalIgnoreCase);
}
