using Modelhost.Server.Configuration;

namespace Modelhost.Server.Tests.Grpc;

public sealed class GrpcConfigTests
{
    [Fact]
    public void The_grpc_section_sets_the_urls_and_the_message_limits()
    {
        var options = ServerConfigFile.Parse("grpc:\n  urls: http://0.0.0.0:9001;http://127.0.0.1:9002\n  max_receive_message_bytes: 1048576\n  max_send_message_bytes: 2097152\n", "modelhost.yaml");
        Assert.Equal(["http://0.0.0.0:9001", "http://127.0.0.1:9002"], options.Grpc.UrlList());
        Assert.Equal(1048576, options.Grpc.MaxReceiveMessageBytes);
        Assert.Equal(2097152, options.Grpc.MaxSendMessageBytes);
    }

    [Fact]
    public void Without_a_grpc_section_the_service_listens_on_loopback_port_8081()
    {
        var options = ServerConfigFile.Parse("urls: http://127.0.0.1:8080\n", "modelhost.yaml");
        Assert.True(options.Grpc.Enabled);
        Assert.Equal("http://127.0.0.1:8081", options.Grpc.Urls);
        Assert.Equal(64 * 1024 * 1024, options.Grpc.MaxReceiveMessageBytes);
        Assert.Null(options.Grpc.MaxSendMessageBytes);
    }

    [Fact]
    public void An_empty_url_list_turns_grpc_off()
    {
        Assert.False(ServerConfigFile.Parse("grpc: {urls: ''}\n", "modelhost.yaml").Grpc.Enabled);
    }

    [Fact]
    public void The_environment_and_the_flag_set_grpc_urls_over_the_file()
    {
        var sources = new ServerConfigSources
        {
            Environment = new Dictionary<string, string> { ["MODELHOST_GRPC__URLS"] = "http://127.0.0.1:7001" },
            CommandLine = [new ConfigSetting("grpc:urls", "http://127.0.0.1:7002", "--grpc-urls")],
        };
        Assert.Equal("http://127.0.0.1:7002", ServerConfigFile.Load(sources).Grpc.Urls);
        Assert.Equal("http://127.0.0.1:7001", ServerConfigFile.Load(new ServerConfigSources { Environment = sources.Environment }).Grpc.Urls);
    }

    [Theory]
    [InlineData("grpc: {urls: 'localhost:8081'}\n", "grpc.urls: 'localhost:8081' is not an http:// or https:// URL")]
    [InlineData("grpc: {max_receive_message_bytes: 10}\n", "grpc.max_receive_message_bytes: expected a number from 1024")]
    [InlineData("grpc: {port: 8081}\n", "unknown key 'grpc.port'; known keys are: urls, max_receive_message_bytes, max_send_message_bytes")]
    public void A_bad_grpc_setting_names_its_key(string yaml, string message)
    {
        var error = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse(yaml, "modelhost.yaml"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
