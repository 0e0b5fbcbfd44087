using System.Globalization;
using System.Text;
using Modelhost.Server;
using Modelhost.Server.Configuration;
using Modelhost.Server.Security;
using YamlDotNet.RepresentationModel;

namespace Modelhost.Commands;

/// <summary>
/// Rewrites the <c>auth:</c> section of a server config file, keeping every other line (comments included) as it was.
/// The file is replaced atomically and is readable by its owner only, since it holds the keys' hashes.
/// </summary>
internal static class ConfigKeysFile
{
    /// <summary>The config file used when <c>--config</c> is not given.</summary>
    public const string DefaultPath = "modelhost.yaml";

    public static ServerOptions Load(string path) =>
        File.Exists(path) ? ServerConfigFile.Load(path) : new ServerOptions();

    public static void Save(string path, SecurityOptions security)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        var block = Emit(security);
        var (start, end) = FindAuth(text);
        string updated;
        if (start < 0)
        {
            updated = text.Length == 0 || text.EndsWith('\n') ? text + block : text + "\n" + block;
        }
        else
        {
            updated = string.Concat(text.AsSpan(0, start), block.AsSpan(0, block.Length - 1), text.AsSpan(end));
        }

        // Check that the result loads before it replaces the file.
        ServerConfigFile.Parse(updated, path);
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp");
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, create))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(updated);
        }

        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>The span of text from the top-level <c>auth</c> key to the end of its last value, or (-1, -1).</summary>
    private static (int Start, int End) FindAuth(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return (-1, -1);
        }

        foreach (var (key, value) in root.Children)
        {
            if (key is YamlScalarNode { Value: "auth" })
            {
                return ((int)key.Start.Index, LastEnd(value, text));
            }
        }

        return (-1, -1);
    }

    /// <summary>
    /// Where a node's own text ends. YamlDotNet's end marks of collections are not that (a block collection's lies past the
    /// comments after it, a flow collection's at its start), so collections are measured by their last child.
    /// </summary>
    private static int LastEnd(YamlNode node, string text)
    {
        var (children, flow, close) = node switch
        {
            YamlMappingNode map => (map.Children.Select(c => c.Value).ToList(), map.Style == YamlDotNet.Core.Events.MappingStyle.Flow, '}'),
            YamlSequenceNode list => (list.Children.ToList(), list.Style == YamlDotNet.Core.Events.SequenceStyle.Flow, ']'),
            _ => (null, false, ' '),
        };
        if (children is null)
        {
            return (int)node.End.Index;
        }

        var end = children.Count > 0 ? LastEnd(children[^1], text) : (int)node.Start.Index + 1;
        if (flow)
        {
            var bracket = text.IndexOf(close, end);
            end = bracket < 0 ? text.Length : bracket + 1;
        }

        return end;
    }

    private static string Emit(SecurityOptions security)
    {
        var b = new StringBuilder("auth:\n");
        if (security.AllowAnonymous)
        {
            b.Append("  allow_anonymous: true\n");
        }

        if (security.AllowedHosts.Count > 0)
        {
            b.Append("  allowed_hosts: [").AppendJoin(", ", security.AllowedHosts.Select(Quote)).Append("]\n");
        }

        if (security.CorsOrigins.Count > 0)
        {
            b.Append("  cors_origins: [").AppendJoin(", ", security.CorsOrigins.Select(Quote)).Append("]\n");
        }

        if (security.Keys.Count == 0)
        {
            b.Append("  keys: []\n");
            return b.ToString();
        }

        b.Append("  keys:\n");
        foreach (var key in security.Keys)
        {
            b.Append("    - name: ").Append(Quote(key.Name)).Append('\n');
            b.Append("      roles: [").AppendJoin(", ", key.Roles.Select(Roles.Name)).Append("]\n");
            b.Append("      id: ").Append(Quote(key.Id)).Append('\n');
            b.Append("      hash: ").Append(Quote(key.Hash)).Append('\n');
            if (key.Created is { } created)
            {
                b.Append("      created: ").Append(Quote(created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))).Append('\n');
            }
        }

        return b.ToString();
    }

    // Names, ids, hashes, hosts and origins are checked before they get here; JSON quoting is valid YAML.
    private static string Quote(string text) => "\"" + System.Text.Json.JsonEncodedText.Encode(text).Value + "\"";
}
