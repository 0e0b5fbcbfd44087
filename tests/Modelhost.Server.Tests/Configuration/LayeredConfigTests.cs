using Modelhost.Server.Configuration;
using Modelhost.Server.Security;

namespace Modelhost.Server.Tests.Configuration;

/// <summary>The layers of the server's settings: defaults, PORT, the YAML file, MODELHOST_ variables, the command line.</summary>
public sealed class LayeredConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modelhost-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_variable_overrides_the_file_and_a_flag_overrides_the_variable()
    {
        var file = Write("modelhost.yaml", "models: from-file\nlimits:\n  max_connections: 10\n  image_bytes: 4096\njobs: {training_workers: 3}\n");
        var environment = new Dictionary<string, string>
        {
            ["MODELHOST_LIMITS__MAX_CONNECTIONS"] = "20",
            ["MODELHOST_MODELS"] = "from-environment",
            ["modelhost_jobs__prediction_workers"] = "5",
        };

        var options = Load(file, environment);
        Assert.Equal(20, options.Limits.MaxConnections);
        Assert.Equal(4096, options.Limits.ImageBytes);
        Assert.Equal(3, options.Jobs.TrainingWorkers);
        Assert.Equal(5, options.Jobs.PredictionWorkers);
        Assert.Equal("from-environment", options.Repository.Root);

        options = Load(file, environment, new ConfigSetting("models", "from-flag", "--models"));
        Assert.Equal("from-flag", options.Repository.Root);
        Assert.Equal(20, options.Limits.MaxConnections);
    }

    [Fact]
    public void Serve_polls_the_repository_every_2_seconds_unless_poll_seconds_says_otherwise()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Load(null, []).Repository.PollInterval);
        Assert.Equal(TimeSpan.Zero, Load(null, [], new ConfigSetting("poll_seconds", "0", "--poll-seconds")).Repository.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(7), Load(Write("poll.yaml", "poll_seconds: 7\n"), []).Repository.PollInterval);
    }

    [Fact]
    public void A_file_variable_reads_the_secret_without_its_trailing_newline()
    {
        var secret = Write("db", "Host=db;Username=modelhost;Password=s3cret\n");
        var options = Load(null, new Dictionary<string, string> { ["MODELHOST_JOBS__DATABASE_FILE"] = secret });
        Assert.Equal("Host=db;Username=modelhost;Password=s3cret", options.Jobs.Database);

        var missing = Path.Combine(_dir, "absent");
        var error = Assert.Throws<ServerConfigException>(() => Load(null, new Dictionary<string, string> { ["MODELHOST_JOBS__DATABASE_FILE"] = missing }));
        Assert.StartsWith($"MODELHOST_JOBS__DATABASE_FILE: cannot read '{missing}'", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<ServerConfigException>(() => Load(null, new Dictionary<string, string>
        {
            ["MODELHOST_JOBS__DATABASE"] = "Host=a",
            ["MODELHOST_JOBS__DATABASE_FILE"] = secret,
        }));
        Assert.Contains("MODELHOST_JOBS__DATABASE and MODELHOST_JOBS__DATABASE_FILE both set jobs.database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_variable_under_the_prefix_is_an_error_naming_it_and_other_variables_are_ignored()
    {
        var error = Assert.Throws<ServerConfigException>(() => Load(null, new Dictionary<string, string> { ["MODELHOST_LIMITS__MAX_CONECTIONS"] = "5" }));
        Assert.StartsWith("MODELHOST_LIMITS__MAX_CONECTIONS: unknown key 'limits.max_conections'; known keys are: ", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<ServerConfigException>(() => Load(null, new Dictionary<string, string> { ["MODELHOST_URL"] = "http://127.0.0.1:1" }));
        Assert.StartsWith("MODELHOST_URL: unknown key 'url'", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<ServerConfigException>(() => Load(null, new Dictionary<string, string> { ["MODELHOST_LIMITS____X"] = "5" }));
        Assert.StartsWith("MODELHOST_LIMITS____X: not a setting", error.Message, StringComparison.Ordinal);

        var options = Load(null, new Dictionary<string, string>
        {
            ["URLS"] = "http://0.0.0.0:1",
            ["LIMITS__MAX_CONNECTIONS"] = "5",
            ["MODELHOST_TOKEN"] = "mh_x",
            ["MODELHOST_ONNXRUNTIME"] = "/opt/libonnxruntime.so",
            ["MODELHOST_CONFIG"] = "/etc/modelhost.yaml",
            ["MODELHOST_TEST_POSTGRES"] = "Host=x",
        });
        Assert.Equal("http://127.0.0.1:8080", options.Urls);
        Assert.Equal(1000, options.Limits.MaxConnections);
    }

    [Theory]
    [InlineData("MODELHOST_LIMITS__MAX_CONNECTIONS", "lots", "MODELHOST_LIMITS__MAX_CONNECTIONS: limits.max_connections: expected a number from 1 to 1000000, got 'lots'")]
    [InlineData("MODELHOST_JOBS__ENABLED", "maybe", "MODELHOST_JOBS__ENABLED: jobs.enabled: expected true or false, got 'maybe'")]
    [InlineData("MODELHOST_LIMITS", "5", "MODELHOST_LIMITS: limits: expected a mapping")]
    [InlineData("MODELHOST_URLS__X", "5", "MODELHOST_URLS__X: urls: expected a non-empty string")]
    [InlineData("MODELHOST_AUTH__KEYS__0__NAME", "ci", "MODELHOST_AUTH__KEYS__0__NAME: auth.keys[0]: every key needs name, roles, id and hash")]
    public void A_bad_variable_names_itself_and_the_key(string name, string value, string message)
    {
        var error = Assert.Throws<ServerConfigException>(() => Load(null, new Dictionary<string, string> { [name] = value }));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_flag_names_itself_and_the_key()
    {
        var error = Assert.Throws<ServerConfigException>(() => Load(null, [], new ConfigSetting("poll_seconds", "-1", "--poll-seconds")));
        Assert.Equal("--poll-seconds: poll_seconds: expected a number from 0 to 86400, got '-1'", error.Message);
    }

    [Fact]
    public void Port_sets_the_urls_only_when_nothing_else_does()
    {
        var port = new Dictionary<string, string> { ["PORT"] = "9090" };
        Assert.Equal("http://0.0.0.0:9090", Load(null, port).Urls);
        Assert.Equal("http://127.0.0.1:1", Load(Write("urls.yaml", "urls: http://127.0.0.1:1\n"), port).Urls);
        Assert.Equal("http://127.0.0.1:2", Load(null, new Dictionary<string, string>(port) { ["MODELHOST_URLS"] = "http://127.0.0.1:2" }).Urls);
        Assert.Equal("http://127.0.0.1:3", Load(null, port, new ConfigSetting("urls", "http://127.0.0.1:3", "--urls")).Urls);

        var error = Assert.Throws<ServerConfigException>(() => Load(null, new Dictionary<string, string> { ["PORT"] = "80a" }));
        Assert.Equal("PORT: expected a port number from 1 to 65535, got '80a'", error.Message);
    }

    [Fact]
    public void Keys_in_the_environment_add_to_the_keys_in_the_file()
    {
        var (_, fileId, fileHash) = ApiKeySecrets.Create();
        var (_, envId, envHash) = ApiKeySecrets.Create();
        var hashFile = Write("hash", envHash + "\n");
        var file = Write("keys.yaml", $"auth:\n  keys:\n    - {{name: ci, roles: [train], id: \"{fileId}\", hash: \"{fileHash}\"}}\n");
        var environment = new Dictionary<string, string>
        {
            ["MODELHOST_AUTH__KEYS__0__NAME"] = "deploy",
            ["MODELHOST_AUTH__KEYS__0__ROLES__0"] = "infer",
            ["MODELHOST_AUTH__KEYS__0__ROLES__1"] = "manage",
            ["MODELHOST_AUTH__KEYS__0__ID"] = envId,
            ["MODELHOST_AUTH__KEYS__0__HASH_FILE"] = hashFile,
        };

        var keys = Load(file, environment).Security.Keys;
        Assert.Equal(["ci", "deploy"], keys.Select(k => k.Name));
        Assert.Equal([Role.Infer, Role.Manage], keys[1].Roles);
        Assert.Equal(envHash, keys[1].Hash);

        environment["MODELHOST_AUTH__KEYS__0__NAME"] = "ci";
        var error = Assert.Throws<ServerConfigException>(() => Load(file, environment));
        Assert.Contains("two keys share the name 'ci'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_from_a_higher_layer_replaces_the_whole_list()
    {
        var file = Write("hosts.yaml", "auth:\n  allowed_hosts: [a.internal, b.internal, c.internal]\n");
        Assert.Equal(["a.internal", "b.internal", "c.internal"], Load(file, []).Security.AllowedHosts);
        Assert.Equal(["d.internal"], Load(file, new Dictionary<string, string> { ["MODELHOST_AUTH__ALLOWED_HOSTS"] = "d.internal" }).Security.AllowedHosts);
        Assert.Equal(["e.internal", "f.internal"], Load(file, new Dictionary<string, string>
        {
            ["MODELHOST_AUTH__ALLOWED_HOSTS__0"] = "e.internal",
            ["MODELHOST_AUTH__ALLOWED_HOSTS__1"] = "f.internal",
        }).Security.AllowedHosts);
    }

    [Fact]
    public void A_file_error_names_the_file_line_and_key()
    {
        var file = Write("bad.yaml", "urls: http://127.0.0.1:1\njobs:\n  lease_seconds: 20\n  poll_secs: 5\n");
        var error = Assert.Throws<ServerConfigException>(() => Load(file, []));
        Assert.StartsWith($"{file}:4: unknown key 'jobs.poll_secs'; known keys are: enabled, data_dir", error.Message, StringComparison.Ordinal);

        file = Write("bad.yaml", "jobs:\n  heartbeat_seconds: 40\n");
        error = Assert.Throws<ServerConfigException>(() => Load(file, []));
        Assert.Equal($"{file}:2: jobs.heartbeat_seconds must be shorter than jobs.lease_seconds", error.Message);

        file = Write("bad.yaml", "auth:\n  keys:\n    - name: ci\n      roles: [root]\n");
        error = Assert.Throws<ServerConfigException>(() => Load(file, []));
        Assert.Equal($"{file}:4: auth.keys[0].roles: unknown role 'root'; roles are infer, train, manage, admin", error.Message);

        file = Write("bad.yaml", "urls: [a, b]\n");
        error = Assert.Throws<ServerConfigException>(() => Load(file, []));
        Assert.Equal($"{file}:1: urls: expected a non-empty string", error.Message);
    }

    [Fact]
    public void Keys_are_matched_without_regard_to_case_as_in_environment_variables()
    {
        var options = Load(Write("case.yaml", "Limits:\n  Max_Connections: 7\n"), new Dictionary<string, string> { ["MODELHOST_LIMITS__IMAGE_BYTES"] = "2048" });
        Assert.Equal(7, options.Limits.MaxConnections);
        Assert.Equal(2048, options.Limits.ImageBytes);
    }

    [Fact]
    public void Variables_set_the_default_execution_providers_and_a_bad_option_names_the_variable()
    {
        var options = Load(null, new Dictionary<string, string>
        {
            ["MODELHOST_SESSION__EXECUTION_PROVIDERS__0__NAME"] = "cuda",
            ["MODELHOST_SESSION__EXECUTION_PROVIDERS__0__DEVICE_ID"] = "2",
            ["MODELHOST_SESSION__EXECUTION_PROVIDERS__1"] = "cpu",
        });
        Assert.Equal(
            [new Modelhost.Core.Configuration.ExecutionProviderConfig { Kind = Modelhost.Core.Configuration.ExecutionProviderKind.Cuda, DeviceId = 2 },
             Modelhost.Core.Configuration.ExecutionProviderConfig.Cpu],
            options.Repository.ExecutionProviders);

        var error = Assert.Throws<ServerConfigException>(() => Load(null, new Dictionary<string, string>
        {
            ["MODELHOST_SESSION__EXECUTION_PROVIDERS__0__NAME"] = "cuda",
            ["MODELHOST_SESSION__EXECUTION_PROVIDERS__0__DEVICE_ID"] = "gpu0",
        }));
        Assert.Contains("MODELHOST_SESSION__EXECUTION_PROVIDERS__0", error.Message, StringComparison.Ordinal);
        Assert.Contains("device_id", error.Message, StringComparison.Ordinal);
    }

    private ServerOptions Load(string? file, Dictionary<string, string> environment, params ConfigSetting[] commandLine) =>
        ServerConfigFile.Load(new ServerConfigSources { File = file, Environment = environment, CommandLine = commandLine });

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
