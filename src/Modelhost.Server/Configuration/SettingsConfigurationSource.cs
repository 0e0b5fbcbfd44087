using Microsoft.Extensions.Configuration;

namespace Modelhost.Server.Configuration;

/// <summary>One layer of the server's configuration (the YAML file, the environment, the command line) as a configuration source.</summary>
/// <param name="read">Reads the layer's settings; throws <see cref="ServerConfigException"/> when the layer is invalid.</param>
internal sealed class SettingsConfigurationSource(Func<IReadOnlyList<ConfigSetting>> read) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new SettingsConfigurationProvider(read);
}
