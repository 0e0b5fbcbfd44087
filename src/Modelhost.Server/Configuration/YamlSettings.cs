using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Modelhost.Server.Configuration;

/// <summary>
/// The YAML settings file as configuration settings: mappings become keys joined by ':', list items their index
/// (<c>auth:keys:0:name</c>), and every key remembers its line.
/// </summary>
internal static class YamlSettings
{
    /// <summary>The largest settings file read.</summary>
    public const long MaxBytes = 64 * 1024;

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="ServerConfigException">The file is missing, too large, unreadable or invalid.</exception>
    public static IReadOnlyList<ConfigSetting> Load(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxBytes)
            {
                throw new ServerConfigException($"{path}: the file is larger than {MaxBytes} bytes");
            }

            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new ServerConfigException($"{path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ServerConfigException($"{path}: {ex.Message}");
        }

        return Read(text, path);
    }

    /// <summary>Reads YAML text; <paramref name="displayPath"/> names it in origins and messages.</summary>
    /// <exception cref="ServerConfigException">The text is not YAML, or not a mapping.</exception>
    public static IReadOnlyList<ConfigSetting> Read(string yaml, string displayPath)
    {
        var stream = new YamlStream();
        try
        {
            CheckNestingDepth(yaml, displayPath);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ServerConfigException($"{displayPath}:{ex.Start.Line}: invalid YAML: {ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet fails on some malformed input (an unclosed flow mapping) with a bare exception and no position.
            throw new ServerConfigException($"{displayPath}: invalid YAML: cannot parse it; is a bracket or a quote left open, or a key missing before a ':'?");
        }

        var settings = new List<ConfigSetting>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return settings;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ServerConfigException($"{displayPath}: the file must be a mapping of keys to values");
        }

        AddChildren(root, null, settings, displayPath);
        return settings;
    }

    /// <summary>
    /// Walks the event stream, which is not recursive, before YamlStream builds the tree, which is: a file of nested
    /// brackets would otherwise end the process on the stack limit instead of naming the file. The deepest valid
    /// setting (<c>auth.keys[i].roles</c>) is 5 levels down.
    /// </summary>
    private static void CheckNestingDepth(string yaml, string displayPath)
    {
        const int MaxDepth = 16;
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart && ++depth > MaxDepth)
            {
                throw new ServerConfigException(string.Create(CultureInfo.InvariantCulture, $"{displayPath}:{parser.Current.Start.Line}: nesting is deeper than {MaxDepth} levels"));
            }

            if (parser.Current is YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd)
            {
                depth--;
            }
        }
    }

    private static void Add(YamlNode node, string key, Mark at, List<ConfigSetting> settings, string path)
    {
        var origin = string.Create(CultureInfo.InvariantCulture, $"{path}:{at.Line}");
        if (node is YamlScalarNode scalar)
        {
            settings.Add(new ConfigSetting(key, scalar.Value ?? string.Empty, origin));
            return;
        }

        var empty = node is YamlMappingNode { Children.Count: 0 } or YamlSequenceNode { Children.Count: 0 };
        settings.Add(new ConfigSetting(key, null, origin) { IsSection = !empty });
        AddChildren(node, key, settings, path);
    }

    private static void AddChildren(YamlNode node, string? parent, List<ConfigSetting> settings, string path)
    {
        if (node is YamlMappingNode map)
        {
            foreach (var (keyNode, value) in map.Children)
            {
                var name = keyNode is YamlScalarNode { Value: { Length: > 0 } text } && !text.Contains(':', StringComparison.Ordinal)
                    ? text
                    : throw new ServerConfigException($"{path}:{keyNode.Start.Line}: keys are plain names (without ':')");
                Add(value, parent is null ? name : parent + ":" + name, keyNode.Start, settings, path);
            }
        }
        else if (node is YamlSequenceNode list)
        {
            for (var i = 0; i < list.Children.Count; i++)
            {
                var item = list.Children[i];
                Add(item, string.Create(CultureInfo.InvariantCulture, $"{parent}:{i}"), item.Start, settings, path);
            }
        }
    }
}
