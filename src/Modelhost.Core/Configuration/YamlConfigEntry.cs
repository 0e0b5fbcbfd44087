using YamlDotNet.RepresentationModel;

namespace Modelhost.Core.Configuration;

/// <summary>One key of a YAML mapping: its name, dotted path, and the nodes of the key (whose line an unknown key reports) and of the value.</summary>
internal readonly record struct YamlConfigEntry(string Name, string Path, YamlNode KeyNode, YamlNode Value);
