namespace Modelhost.Server.Configuration;

/// <summary>
/// Where the server's settings come from. Each layer overrides the ones before it: the defaults, <c>PORT</c>, the YAML
/// file, the <c>MODELHOST_</c> environment variables, the command line.
/// </summary>
public sealed record ServerConfigSources
{
    /// <summary>The YAML settings file; null for none.</summary>
    public string? File { get; init; }

    /// <summary>The environment variables (<see cref="EnvironmentSettings.Snapshot"/>); only <c>MODELHOST_*</c> and <c>PORT</c> are read.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The command line's options, as settings whose origin is the flag (<c>--urls</c>).</summary>
    public IReadOnlyList<ConfigSetting> CommandLine { get; init; } = [];
}
