using Modelhost.Server.Configuration;

namespace Modelhost.Server.Tests.Configuration;

public sealed class ListenUrlTests
{
    [Theory]
    [InlineData("urls: 'http://127.0.0.1:abc'\n", "urls: 'http://127.0.0.1:abc' has port 'abc', which is not a number from 0 to 65535")]
    [InlineData("urls: 'http://127.0.0.1:8080;http://0.0.0.0:99999'\n", "urls: 'http://0.0.0.0:99999' has port '99999'")]
    [InlineData("urls: 'ftp://127.0.0.1:21'\n", "urls: 'ftp://127.0.0.1:21' is not an http:// or https:// URL")]
    [InlineData("urls: 'http://127.0.0.1:8080/api'\n", "urls: 'http://127.0.0.1:8080/api' has a path")]
    [InlineData("urls: 'http://[::1:8080'\n", "has a bracketed host that is not an IPv6 address")]
    [InlineData("urls: 'http://exa mple:8080'\n", "has host 'exa mple', which is not an IP address, a host name, or '*'")]
    [InlineData("grpc: {urls: 'http://localhost:80x1'}\n", "grpc.urls: 'http://localhost:80x1' has port '80x1'")]
    [InlineData("metrics: {urls: 'http://127.0.0.1:-1'}\n", "metrics.urls: 'http://127.0.0.1:-1' has port '-1'")]
    [InlineData("urls: 'http://unix:run.sock'\n", "names a Unix socket without an absolute path")]
    public void A_listen_url_that_kestrel_would_read_another_way_is_a_config_error_naming_it(string yaml, string message)
    {
        // Kestrel took 'http://127.0.0.1:abc' for a host name and listened on every interface, port 80.
        var error = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse(yaml, "modelhost.yaml"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("https://0.0.0.0:8443/")]
    [InlineData("http://[::]:8080;http://localhost:8081")]
    [InlineData("http://*:8080")]
    [InlineData("http://+:8080")]
    [InlineData("http://model-server.internal:8080")]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://localhost")]
    [InlineData("http://unix:/run/modelhost.sock")]
    public void The_urls_kestrel_takes_as_written_are_accepted(string urls) =>
        Assert.Equal(urls, ServerConfigFile.Parse($"urls: '{urls}'\n", "modelhost.yaml").Urls);

    [Fact]
    public void A_bad_url_from_a_flag_names_the_flag()
    {
        var sources = new ServerConfigSources { CommandLine = [new ConfigSetting("urls", "http://127.0.0.1:abc", "--urls")] };
        var error = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Load(sources));
        Assert.Contains("--urls", error.Message, StringComparison.Ordinal);
        Assert.Contains("has port 'abc'", error.Message, StringComparison.Ordinal);
    }
}
