using System.Collections;
using System.Globalization;

namespace Modelhost.Server.Configuration;

/// <summary>
/// Settings from environment variables: <c>MODELHOST_LIMITS__MAX_CONNECTIONS=500</c> sets <c>limits.max_connections</c>
/// (the prefix, then the YAML keys with <c>__</c> between levels, in any case), <c>MODELHOST_JOBS__DATABASE_FILE=/run/secrets/db</c>
/// reads <c>jobs.database</c> from a file, and <c>PORT</c> sets <c>urls</c> to <c>http://0.0.0.0:PORT</c> when nothing
/// else does.
/// </summary>
public static class EnvironmentSettings
{
    /// <summary>The prefix of the variables that hold settings.</summary>
    public const string Prefix = "MODELHOST_";

    /// <summary>The suffix of a variable that names a file holding the value (a secret mounted by the orchestrator).</summary>
    public const string FileSuffix = "_FILE";

    /// <summary>The variable that names the config file (as <c>--config</c>).</summary>
    public const string ConfigVariable = Prefix + "CONFIG";

    /// <summary>The variable that platforms such as Heroku and Cloud Run set to the port to listen on.</summary>
    public const string PortVariable = "PORT";

    private const int MaxSecretBytes = 64 * 1024;

    /// <summary>Variables under the prefix that are not settings: they are read elsewhere (or by the tests).</summary>
    private static readonly string[] NotSettings = [ConfigVariable, Prefix + "ONNXRUNTIME", Prefix + "TOKEN", Prefix + "SERVER", Prefix + "PG_DIR"];

    /// <summary>A snapshot of this process's environment variables.</summary>
    public static IReadOnlyDictionary<string, string> Snapshot()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                variables[name] = value;
            }
        }

        return variables;
    }

    /// <summary>Whether a variable is one Modelhost reads for another purpose than a setting (<c>MODELHOST_TOKEN</c>, <c>MODELHOST_TEST_*</c>...).</summary>
    public static bool IsNotSetting(string name) =>
        Array.Exists(NotSettings, n => n.Equals(name, StringComparison.OrdinalIgnoreCase))
        || name.StartsWith(Prefix + "TEST_", StringComparison.OrdinalIgnoreCase);

    /// <summary>The settings the <c>MODELHOST_</c> variables make.</summary>
    /// <exception cref="ServerConfigException">A variable's name is not a key path, a key is set twice, or a <c>_FILE</c> cannot be read.</exception>
    internal static IReadOnlyList<ConfigSetting> Read(IReadOnlyDictionary<string, string> variables)
    {
        var settings = new List<ConfigSetting>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || IsNotSetting(name))
            {
                continue;
            }

            var path = name[Prefix.Length..];
            var fromFile = path.EndsWith(FileSuffix, StringComparison.OrdinalIgnoreCase);
            if (fromFile)
            {
                path = path[..^FileSuffix.Length];
            }

            var segments = path.ToLowerInvariant().Split("__");
            if (Array.Exists(segments, s => s.Length == 0))
            {
                throw new ServerConfigException($"{name}: not a setting: name a key as MODELHOST_SECTION__KEY (for example MODELHOST_LIMITS__MAX_CONNECTIONS)");
            }

            var key = string.Join(':', segments);
            if (seen.TryGetValue(key, out var other))
            {
                throw new ServerConfigException($"{other} and {name} both set {ConfigNode.Display(key)}: set one of them");
            }

            seen[key] = name;
            settings.Add(new ConfigSetting(key, fromFile ? ReadSecret(name, value) : value, name));
        }

        return settings;
    }

    /// <summary>The <c>urls</c> that <c>PORT</c> asks for, as the lowest layer above the defaults.</summary>
    /// <exception cref="ServerConfigException"><c>PORT</c> is not a port number.</exception>
    internal static IReadOnlyList<ConfigSetting> Port(IReadOnlyDictionary<string, string> variables)
    {
        if (!variables.TryGetValue(PortVariable, out var text) || text.Length == 0)
        {
            return [];
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? [new ConfigSetting("urls", string.Create(CultureInfo.InvariantCulture, $"http://0.0.0.0:{port}"), PortVariable)]
            : throw new ServerConfigException($"{PortVariable}: expected a port number from 1 to 65535, got '{text}'");
    }

    private static string ReadSecret(string name, string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxSecretBytes)
            {
                throw new ServerConfigException($"{name}: '{path}' is larger than {MaxSecretBytes} bytes");
            }

            return File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ServerConfigException($"{name}: cannot read '{path}': {ex.Message}");
        }
    }
}
