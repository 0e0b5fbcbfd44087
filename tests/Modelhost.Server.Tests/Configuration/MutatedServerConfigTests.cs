using System.Globalization;
using Modelhost.Server.Configuration;

namespace Modelhost.Server.Tests.Configuration;

/// <summary>
/// Thousands of near-valid modelhost.yaml files, each a seeded mutation of one that sets every section. Each must bind
/// or be refused with a <see cref="ServerConfigException"/> naming the file: <c>serve</c> prints that one line and
/// exits 1, where any other exception would be a stack trace at startup.
/// </summary>
public sealed class MutatedServerConfigTests
{
    private const string File = "modelhost.yaml";

    private static readonly int Cases =
        int.TryParse(Environment.GetEnvironmentVariable("MODELHOST_MUTATION_CASES"), CultureInfo.InvariantCulture, out var cases) ? cases * 25 : 3000;

    private static string Seed()
    {
        var (_, id, hash) = Modelhost.Server.Security.ApiKeySecrets.Create();
        return $$"""
            urls: http://127.0.0.1:8080;http://[::1]:8080
            models: ./models
            poll_seconds: 5
            max_request_body_bytes: 1048576
            shutdown_timeout_seconds: 10
            verbose: false
            log_format: json
            session:
              intra_op_threads: 2
              inter_op_threads: 1
              graph_optimization_level: all
              allow_spinning: false
              execution_providers: [{name: cuda, device_id: 0}, cpu]
            jobs:
              enabled: true
              data_dir: ./data
              training_workers: 1
              prediction_workers: 2
              lease_seconds: 30
              heartbeat_seconds: 5
              poll_seconds: 1
              shutdown_grace_seconds: 10
              forecast_horizon: 14
              allow_sql_from_api: false
              sql_timeout_seconds: 30
              sql_max_rows: 1000
              max_unfinished: 100
            forecasting:
              observations: {table: observations, key_column: country_code, time_column: day, value_column: value}
              predictions_table: predictions
            auth:
              allow_anonymous: false
              allowed_hosts: [modelhost.internal]
              cors_origins: ["https://dashboard.example.com"]
              keys:
                - {name: ci, roles: [infer, train], id: "{{id}}", hash: "{{hash}}"}
            limits:
              json_infer_bytes: 2048
              image_bytes: 8192
              max_connections: 10
              rate_per_second: 2.5
              rate_burst: 7
              request_timeout_seconds: 30
              image_wait_seconds: 0.5
            metrics: {enabled: true, urls: "http://127.0.0.1:9090"}
            tracing: {otlp_endpoint: "http://127.0.0.1:4317"}
            grpc: {urls: "http://127.0.0.1:8081", max_receive_message_bytes: 1048576, max_send_message_bytes: 1048576}
            """;
    }

    [Fact]
    public void The_seed_binds()
    {
        var options = ServerConfigFile.Parse(Seed(), File);
        Assert.Equal(100, options.Jobs.MaxUnfinishedJobs);
    }

    [Theory]
    [InlineData("tracing: {otlp_endpointacing: {otlp_endpoint: \"http://127.0.0.1:4317\"}\ngrpc: {urls: \"http://127.0.0.1:8081\"}\n", "cannot parse it; is a bracket or a quote left open")]
    public void A_file_yamldotnet_fails_on_without_a_position_is_refused_naming_the_file(string yaml, string expected)
    {
        // YamlDotNet threw InvalidOperationException for this, and serve printed it as a crash. Found by the test below.
        var ex = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse(yaml, File));
        Assert.StartsWith($"{File}: invalid YAML: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_past_sixteen_levels_is_refused_before_the_recursive_tree_builder_runs()
    {
        // 20,000 brackets fit in the 64 KiB a settings file may have; YamlStream builds the tree recursively.
        var yaml = "auth: " + new string('[', 20_000) + new string(']', 20_000) + "\n";
        var ex = Assert.Throws<ServerConfigException>(() => ServerConfigFile.Parse(yaml, File));
        Assert.Equal($"{File}:1: nesting is deeper than 16 levels", ex.Message);
    }

    [Fact]
    public void Mutated_server_configs_bind_or_are_refused_naming_the_file()
    {
        var seed = Seed();
        var mutator = new RequestMutator(700);
        var (bound, failure) = ConfigMutations.Run<ServerConfigException>(Cases, () => mutator.MutateYaml(seed), yaml => ServerConfigFile.Parse(yaml, File), File);
        Assert.Null(failure);

        // Both outcomes: mutations that every check refuses would test nothing past the first.
        Assert.InRange(bound, Cases / 20, Cases - (Cases / 20));
    }
}
