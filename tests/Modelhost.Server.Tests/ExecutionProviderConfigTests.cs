using Modelhost.Core.Configuration;
using Modelhost.Server.Configuration;

namespace Modelhost.Server.Tests;

public sealed class ExecutionProviderConfigTests
{
    [Fact]
    public void The_server_default_is_the_cpu_alone()
    {
        var options = ServerConfigFile.Parse("urls: http://127.0.0.1:8080\n", "test.yaml");

        Assert.Equal([ExecutionProviderConfig.Cpu], options.Repository.ExecutionProviders);
    }

    [Fact]
    public void The_settings_file_sets_the_default_execution_providers_with_the_model_yaml_syntax()
    {
        var options = ServerConfigFile.Parse("session:\n  execution_providers: [{name: cuda, device_id: 1}, cpu]\n", "test.yaml");

        Assert.Equal(
            [new ExecutionProviderConfig { Kind = ExecutionProviderKind.Cuda, DeviceId = 1 }, ExecutionProviderConfig.Cpu],
            options.Repository.ExecutionProviders);
    }

    [Fact]
    public void An_unknown_provider_in_the_settings_file_is_an_error_naming_the_file_line_and_key()
    {
        var ex = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse("session:\n  execution_providers: [cpu, rocm]\n", "test.yaml"));

        Assert.Contains("test.yaml:2: session.execution_providers[1]: unknown execution provider 'rocm'", ex.Message, StringComparison.Ordinal);
    }
}
