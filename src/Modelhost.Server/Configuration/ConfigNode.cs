using System.Text;
using Microsoft.Extensions.Configuration;

namespace Modelhost.Server.Configuration;

/// <summary>
/// A key of the layered configuration as the binder reads it: its value and children merged over the layers (the
/// highest layer that sets a key wins), or those of one layer alone (a list is taken whole from one layer), and where
/// it was set, for messages.
/// </summary>
internal sealed class ConfigNode
{
    private readonly IConfigurationRoot _root;
    private readonly SettingsConfigurationProvider? _layer;

    public ConfigNode(IConfigurationRoot root)
        : this(root, null, string.Empty)
    {
    }

    private ConfigNode(IConfigurationRoot root, SettingsConfigurationProvider? layer, string path)
    {
        _root = root;
        _layer = layer;
        Path = path;
    }

    /// <summary>The configuration key (<c>auth:keys:0:name</c>).</summary>
    public string Path { get; }

    /// <summary>The last segment in lower case, to match against the known keys.</summary>
    public string Key => ConfigurationPath.GetSectionKey(Path).ToLowerInvariant();

    /// <summary>The key as messages write it: <c>auth.keys[0].name</c>.</summary>
    public string Name => Display(Path);

    /// <summary>The value, or null for a mapping, a list or an unset key.</summary>
    public string? Value => _layer is null ? _root[Path] : _layer.TryGet(Path, out var value) ? value : null;

    /// <summary>Where the key was set: <c>FILE:LINE</c>, a variable, a flag; that of the highest layer that sets it.</summary>
    public string Where => (_layer ?? Layers().LastOrDefault())?.Origin(Path) ?? "the configuration";

    /// <summary>The keys under this one.</summary>
    public IEnumerable<ConfigNode> Children => _layer is null
        ? (Path.Length == 0 ? _root.GetChildren() : _root.GetSection(Path).GetChildren()).Select(c => new ConfigNode(_root, null, c.Path))
        : _layer.ChildKeys(Path.Length == 0 ? null : Path).Select(k => new ConfigNode(_root, _layer, Path.Length == 0 ? k : ConfigurationPath.Combine(Path, k)));

    /// <summary>Whether there are keys under this one.</summary>
    public bool HasChildren => Children.Any();

    /// <summary>This key as the highest layer that sets it has it: a list comes whole from one layer.</summary>
    public ConfigNode Top => _layer is not null ? this : new ConfigNode(_root, Layers().LastOrDefault(), Path);

    /// <summary>This key in every layer that sets it, lowest first (the API keys of every layer add up).</summary>
    public IEnumerable<ConfigNode> EveryLayer => _layer is not null ? [this] : Layers().Select(l => new ConfigNode(_root, l, Path));

    /// <summary>A key as messages write it: <c>auth:keys:0:name</c> is <c>auth.keys[0].name</c>.</summary>
    public static string Display(string path)
    {
        var text = new StringBuilder(path.Length + 4);
        foreach (var segment in path.Split(ConfigurationPath.KeyDelimiter))
        {
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                text.Append('[').Append(segment).Append(']');
            }
            else
            {
                text.Append(text.Length == 0 ? string.Empty : ".").Append(segment);
            }
        }

        return text.ToString();
    }

    /// <summary>An error about this key's value: <c>WHERE: KEY: MESSAGE</c>.</summary>
    public ServerConfigException Error(string message) => new($"{Where}: {Name}: {message}");

    /// <summary>An error whose message names the keys itself: <c>WHERE: MESSAGE</c>.</summary>
    public ServerConfigException Fail(string message) => new($"{Where}: {message}");

    private IEnumerable<SettingsConfigurationProvider> Layers() =>
        _root.Providers.OfType<SettingsConfigurationProvider>().Where(p => p.Origin(Path) is not null);
}
