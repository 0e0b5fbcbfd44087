using Modelhost.Core.Configuration;

namespace Modelhost.Core.Tests.Configuration;

public sealed class ModelConfigLoaderTests
{
    private const string File = "models/iris/model.yaml";

    private static ModelConfig Parse(string yaml) => ModelConfigLoader.Parse(yaml, File);

    private static ModelConfigException Fails(string yaml, int? line, string? key)
    {
        var ex = Assert.Throws<ModelConfigException>(() => Parse(yaml));
        Assert.Equal(File, ex.FilePath);
        Assert.Equal(line, ex.Line);
        Assert.Equal(key, ex.Key);
        string where = line is null ? File : $"{File}:{line}";
        Assert.StartsWith($"{where}: ", ex.Message, StringComparison.Ordinal);
        if (key is not null)
        {
            Assert.Contains(key.Split('.', '[')[^1], ex.Message, StringComparison.Ordinal);
        }

        return ex;
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    [InlineData("{}\n")]
    public void Parse_gives_all_defaults_for_an_empty_file(string yaml)
    {
        ModelConfig config = Parse(yaml);

        Assert.Null(config.Name);
        Assert.Null(config.MaxBatchSize);
        Assert.Null(config.DynamicBatching);
        Assert.False(config.DynamicBatchingEnabled);
        Assert.Equal(1, config.Instances);
        Assert.Equal(VersionPolicyKind.Latest, config.VersionPolicy.Kind);
        Assert.Equal(1, config.VersionPolicy.LatestCount);
        Assert.Empty(config.Labels);
        Assert.False(config.IsDefault);
        Assert.Empty(config.Features);
        Assert.Empty(config.ClassLabels);
        Assert.Equal(0, config.Warmup);
        Assert.Null(config.Session.IntraOpThreads);
        Assert.Null(config.Session.InterOpThreads);
        Assert.Null(config.Session.GraphOptimizationLevel);
    }

    [Fact]
    public void A_line_holding_only_a_colon_inside_a_section_is_invalid_yaml_not_a_bare_exception()
    {
        // YamlDotNet's event parser takes it; its tree builder threw ArgumentException ("unsupported type"), which the
        // loader let through. Found by MutatedModelConfigTests.
        var ex = Fails("dynamic_batching:\n  max_queue_delay_us: 100\n  :\n  max_queue_size: 4\n", null, null);
        Assert.Contains("invalid YAML: it parses, but not as one mapping of keys to values", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_has_every_key_at_its_default()
    {
        ModelConfig config = ModelConfig.Default;

        Assert.Null(config.MaxBatchSize);
        Assert.False(config.DynamicBatchingEnabled);
        Assert.Equal(1, config.Instances);
        Assert.Same(VersionPolicy.Default, config.VersionPolicy);
        Assert.Same(SessionConfig.Default, config.Session);
        Assert.Equal(0, config.Warmup);
    }

    [Fact]
    public void Parse_reads_every_key_of_a_full_config()
    {
        const string Yaml = """
            name: iris
            max_batch_size: 32
            dynamic_batching:
              max_queue_delay_us: 250
              preferred_batch_sizes: [8, 16, 32]
              max_queue_size: 64
            instances: 2
            version_policy: {latest: 2}
            labels: {stable: 1, canary: 2}
            default: true
            features: [sepal_length, sepal_width, "petal length", 'petal width']
            class_labels: [setosa, versicolor, virginica]
            warmup: 5
            session:
              intra_op_threads: 4
              inter_op_threads: 0
              graph_optimization_level: extended
            """;

        ModelConfig config = Parse(Yaml);

        Assert.Equal("iris", config.Name);
        Assert.Equal(32, config.MaxBatchSize);
        Assert.True(config.DynamicBatchingEnabled);
        DynamicBatchingConfig batching = config.DynamicBatching!;
        Assert.Equal(250, batching.MaxQueueDelayMicroseconds);
        Assert.Equal(TimeSpan.FromMicroseconds(250), batching.MaxQueueDelay);
        Assert.Equal([8, 16, 32], batching.PreferredBatchSizes);
        Assert.Equal(64, batching.MaxQueueSize);
        Assert.Equal(2, config.Instances);
        Assert.Equal(VersionPolicyKind.Latest, config.VersionPolicy.Kind);
        Assert.Equal(2, config.VersionPolicy.LatestCount);
        Assert.Equal(new Dictionary<string, long> { ["stable"] = 1, ["canary"] = 2 }, config.Labels);
        Assert.True(config.IsDefault);
        Assert.Equal(["sepal_length", "sepal_width", "petal length", "petal width"], config.Features);
        Assert.Equal(["setosa", "versicolor", "virginica"], config.ClassLabels);
        Assert.Equal(5, config.Warmup);
        Assert.Equal(4, config.Session.IntraOpThreads);
        Assert.Equal(0, config.Session.InterOpThreads);
        Assert.Equal(OptimizationLevel.Extended, config.Session.GraphOptimizationLevel);
    }

    [Fact]
    public void Parse_accepts_a_name_equal_to_the_model_directory()
    {
        Assert.Equal("iris", Parse("name: iris").Name);
    }

    [Fact]
    public void Parse_takes_the_model_name_from_the_argument_over_the_display_path()
    {
        Assert.Equal("wine", ModelConfigLoader.Parse("name: wine", "config", modelName: "wine").Name);
        Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Parse("name: iris", File, modelName: "wine"));
    }

    [Fact]
    public void Parse_only_checks_the_name_rules_when_there_is_no_directory_to_compare_with()
    {
        Assert.Equal("anything", ModelConfigLoader.Parse("name: anything", "model.yaml").Name);
        var ex = Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Parse("name: a/b", "model.yaml"));
        Assert.Equal("model.yaml:1: name: model name 'a/b' is invalid: use 1-64 of A-Z a-z 0-9 _ . -", ex.Message);
    }

    [Theory]
    [InlineData("max_batch_size: 0", 0)]
    [InlineData("max_batch_size: 1", 1)]
    [InlineData("max_batch_size: 2147483647", int.MaxValue)]
    public void Parse_reads_max_batch_size_including_0_for_no_batching(string yaml, int expected)
    {
        Assert.Equal(expected, Parse(yaml).MaxBatchSize);
    }

    [Theory]
    [InlineData("dynamic_batching: {}")]
    [InlineData("dynamic_batching:")]
    [InlineData("dynamic_batching: ~")]
    public void Parse_turns_dynamic_batching_on_with_defaults_when_the_key_is_present_but_empty(string yaml)
    {
        ModelConfig config = Parse(yaml);

        Assert.True(config.DynamicBatchingEnabled);
        Assert.Equal(100, config.DynamicBatching!.MaxQueueDelayMicroseconds);
        Assert.Equal(1024, config.DynamicBatching.MaxQueueSize);
        Assert.Empty(config.DynamicBatching.PreferredBatchSizes);
    }

    [Fact]
    public void Parse_accepts_a_zero_queue_delay_and_preferred_sizes_without_max_batch_size()
    {
        DynamicBatchingConfig batching = Parse("dynamic_batching: {max_queue_delay_us: 0, preferred_batch_sizes: [4, 1000]}").DynamicBatching!;

        Assert.Equal(0, batching.MaxQueueDelayMicroseconds);
        Assert.Equal([4, 1000], batching.PreferredBatchSizes);
    }

    [Fact]
    public void Parse_checks_preferred_sizes_against_max_batch_size_that_comes_later_in_the_file()
    {
        Fails("dynamic_batching: {preferred_batch_sizes: [16]}\nmax_batch_size: 8\n", 1, "dynamic_batching.preferred_batch_sizes[0]");
    }

    [Theory]
    [InlineData("instances: 1", 1)]
    [InlineData("instances: 64", 64)]
    public void Parse_reads_instances(string yaml, int expected)
    {
        Assert.Equal(expected, Parse(yaml).Instances);
    }

    [Theory]
    [InlineData("warmup: 0", 0)]
    [InlineData("warmup: 1000", 1000)]
    public void Parse_reads_warmup(string yaml, int expected)
    {
        Assert.Equal(expected, Parse(yaml).Warmup);
    }

    [Theory]
    [InlineData("default: true", true)]
    [InlineData("default: false", false)]
    public void Parse_reads_default(string yaml, bool expected)
    {
        Assert.Equal(expected, Parse(yaml).IsDefault);
    }

    [Fact]
    public void Parse_reads_a_latest_version_policy()
    {
        VersionPolicy policy = Parse("version_policy: {latest: 3}").VersionPolicy;

        Assert.Equal(VersionPolicyKind.Latest, policy.Kind);
        Assert.Equal(3, policy.LatestCount);
    }

    [Fact]
    public void Parse_reads_an_all_version_policy()
    {
        Assert.Same(VersionPolicy.All, Parse("version_policy:\n  all: true\n").VersionPolicy);
    }

    [Fact]
    public void Parse_reads_a_specific_version_policy_in_ascending_order()
    {
        VersionPolicy policy = Parse("version_policy: {specific: [3, 1]}").VersionPolicy;

        Assert.Equal(VersionPolicyKind.Specific, policy.Kind);
        Assert.Equal([1L, 3L], policy.SpecificVersions);
    }

    [Fact]
    public void Parse_reads_labels_with_large_versions()
    {
        Assert.Equal(9_000_000_000L, Parse("labels: {stable: 9000000000, v1.0-rc_1: 1}").Labels["stable"]);
    }

    [Theory]
    [InlineData("disable", OptimizationLevel.Disable)]
    [InlineData("basic", OptimizationLevel.Basic)]
    [InlineData("extended", OptimizationLevel.Extended)]
    [InlineData("all", OptimizationLevel.All)]
    [InlineData("'all'", OptimizationLevel.All)]
    public void Parse_reads_each_graph_optimization_level(string value, OptimizationLevel expected)
    {
        Assert.Equal(expected, Parse($"session: {{graph_optimization_level: {value}}}").Session.GraphOptimizationLevel);
    }

    [Fact]
    public void Parse_leaves_session_settings_that_are_not_given_null()
    {
        SessionConfig session = Parse("session: {inter_op_threads: 2}").Session;

        Assert.Null(session.IntraOpThreads);
        Assert.Equal(2, session.InterOpThreads);
        Assert.Null(session.GraphOptimizationLevel);
    }

    [Fact]
    public void Parse_leaves_execution_providers_null_so_the_server_default_applies()
    {
        Assert.Null(Parse("session: {inter_op_threads: 2}").Session.ExecutionProviders);
        Assert.Null(Parse("max_batch_size: 0").Session.ExecutionProviders);
    }

    [Fact]
    public void Parse_reads_execution_providers_as_names_in_order()
    {
        var providers = Parse("session: {execution_providers: [cuda, cpu]}").Session.ExecutionProviders!;

        Assert.Equal([ExecutionProviderKind.Cuda, ExecutionProviderKind.Cpu], providers.Select(p => p.Kind));
        Assert.Equal(0, providers[0].DeviceId);
        Assert.Null(providers[0].MemoryLimitBytes);
    }

    [Fact]
    public void Parse_reads_cuda_options_from_a_mapping()
    {
        var providers = Parse("""
            session:
              execution_providers:
                - name: cuda
                  device_id: 1
                  gpu_mem_limit: 2147483648
                  arena_extend_strategy: same_as_requested
                  cudnn_conv_algo_search: heuristic
                - {name: cpu}
            """).Session.ExecutionProviders!;

        Assert.Equal(
            new ExecutionProviderConfig
            {
                Kind = ExecutionProviderKind.Cuda,
                DeviceId = 1,
                MemoryLimitBytes = 2147483648,
                ArenaExtendStrategy = "same_as_requested",
                CudnnConvAlgoSearch = "heuristic",
            },
            providers[0]);
        Assert.Equal(ExecutionProviderConfig.Cpu, providers[1]);
    }

    [Theory]
    [InlineData("session: {execution_providers: [tpu]}", "session.execution_providers[0]", "unknown execution provider 'tpu'; known providers are: cpu, cuda")]
    [InlineData("session: {execution_providers: [cpu, CUDA]}", "session.execution_providers[1]", "unknown execution provider 'CUDA'")]
    [InlineData("session: {execution_providers: [cuda, cuda]}", "session.execution_providers[1]", "execution provider 'cuda' is listed twice")]
    [InlineData("session: {execution_providers: []}", "session.execution_providers", "list at least one execution provider")]
    [InlineData("session: {execution_providers: cuda}", "session.execution_providers", "expected a list")]
    [InlineData("session: {execution_providers: [{device_id: 0}]}", "session.execution_providers[0]", "needs a name")]
    [InlineData("session: {execution_providers: [{name: cuda, device: 0}]}", "session.execution_providers[0].device", "unknown key 'device'")]
    [InlineData("session: {execution_providers: [{name: cpu, device_id: 0}]}", "session.execution_providers[0].device_id", "known keys are: name")]
    [InlineData("session: {execution_providers: [{name: cuda, device_id: -1}]}", "session.execution_providers[0].device_id", "expected an integer from 0 to 1023")]
    [InlineData("session: {execution_providers: [{name: cuda, gpu_mem_limit: 0}]}", "session.execution_providers[0].gpu_mem_limit", "expected a positive integer")]
    [InlineData("session: {execution_providers: [{name: cuda, arena_extend_strategy: grow}]}", "session.execution_providers[0].arena_extend_strategy", "expected one of next_power_of_two, same_as_requested")]
    [InlineData("session: {execution_providers: [{name: cuda, cudnn_conv_algo_search: fast}]}", "session.execution_providers[0].cudnn_conv_algo_search", "expected one of exhaustive, heuristic, default")]
    public void Parse_rejects_bad_execution_providers_naming_the_key(string yaml, string key, string expected)
    {
        var ex = Assert.Throws<ModelConfigException>(() => Parse(yaml));

        Assert.Equal(key, ex.Key);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_reads_class_labels_as_text_even_when_they_look_like_numbers_and_repeat()
    {
        Assert.Equal(["0", "cat", "cat", ""], Parse("class_labels: [0, cat, cat, '']").ClassLabels);
    }

    [Fact]
    public void Parse_treats_empty_lists_and_maps_as_empty()
    {
        ModelConfig config = Parse("features: []\nclass_labels:\nlabels: {}\nsession:\n");

        Assert.Empty(config.Features);
        Assert.Empty(config.ClassLabels);
        Assert.Empty(config.Labels);
        Assert.Null(config.Session.IntraOpThreads);
    }

    [Fact]
    public void Load_fails_naming_the_key_and_line_when_a_key_is_unknown()
    {
        var ex = Fails("# iris\nmax_batchsize: 8\n", 2, "max_batchsize");

        Assert.StartsWith(
            $"{File}:2: unknown key 'max_batchsize' (did you mean 'max_batch_size'?); known keys are: name, max_batch_size, dynamic_batching, ",
            ex.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inputs: []", "inputs")]
    [InlineData("outputs: []", "outputs")]
    [InlineData("platform: onnxruntime_onnx", "platform")]
    [InlineData("Name: iris", "Name")]
    public void Parse_fails_on_unknown_and_not_yet_supported_top_level_keys(string yaml, string key)
    {
        var ex = Fails(yaml, 1, key);
        Assert.Contains($"unknown key '{key}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dynamic_batching:\n  max_delay_us: 5\n", 2, "dynamic_batching.max_delay_us")]
    [InlineData("version_policy: {newest: 1}", 1, "version_policy.newest")]
    [InlineData("session:\n  threads: 4\n", 2, "session.threads")]
    public void Parse_fails_on_unknown_nested_keys_naming_their_section(string yaml, int line, string key)
    {
        var ex = Fails(yaml, line, key);
        string name = key[(key.IndexOf('.', StringComparison.Ordinal) + 1)..];
        string section = key[..key.IndexOf('.', StringComparison.Ordinal)];
        Assert.Contains($"unknown key '{name}' in {section}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("known keys are: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_message_matches_the_documented_form_for_a_bad_value()
    {
        var ex = Fails("max_batch_size: 8\ninstances: 1\ndynamic_batching:\n  max_queue_delay_us: abc\n", 4, "dynamic_batching.max_queue_delay_us");

        Assert.Equal($"{File}:4: dynamic_batching.max_queue_delay_us: expected a non-negative integer, got 'abc'", ex.Message);
    }

    [Theory]
    // name
    [InlineData("name: setosa", 1, "name")]
    [InlineData("name: [iris]", 1, "name")]
    [InlineData("name: ~", 1, "name")]
    // max_batch_size: sign, type, syntax, quoting, overflow
    [InlineData("max_batch_size: -1", 1, "max_batch_size")]
    [InlineData("max_batch_size: abc", 1, "max_batch_size")]
    [InlineData("max_batch_size: 1.5", 1, "max_batch_size")]
    [InlineData("max_batch_size: 1e3", 1, "max_batch_size")]
    [InlineData("max_batch_size: \"1e3\"", 1, "max_batch_size")]
    [InlineData("max_batch_size: '8'", 1, "max_batch_size")]
    [InlineData("max_batch_size: 010", 1, "max_batch_size")]
    [InlineData("max_batch_size: 0x10", 1, "max_batch_size")]
    [InlineData("max_batch_size: +8", 1, "max_batch_size")]
    [InlineData("max_batch_size: 2147483648", 1, "max_batch_size")]
    [InlineData("max_batch_size: 99999999999999999999", 1, "max_batch_size")]
    [InlineData("max_batch_size: [8]", 1, "max_batch_size")]
    [InlineData("max_batch_size:", 1, "max_batch_size")]
    [InlineData("max_batch_size: true", 1, "max_batch_size")]
    // dynamic_batching
    [InlineData("dynamic_batching: true", 1, "dynamic_batching")]
    [InlineData("dynamic_batching: [1]", 1, "dynamic_batching")]
    [InlineData("max_batch_size: 0\ndynamic_batching: {}", 2, "dynamic_batching")]
    [InlineData("dynamic_batching:\n  max_queue_delay_us: -1", 2, "dynamic_batching.max_queue_delay_us")]
    [InlineData("dynamic_batching:\n  max_queue_delay_us: 1.5", 2, "dynamic_batching.max_queue_delay_us")]
    [InlineData("dynamic_batching:\n  max_queue_delay_us: 3000000000", 2, "dynamic_batching.max_queue_delay_us")]
    [InlineData("dynamic_batching: {max_queue_size: 0}", 1, "dynamic_batching.max_queue_size")]
    [InlineData("dynamic_batching: {max_queue_size: -3}", 1, "dynamic_batching.max_queue_size")]
    [InlineData("dynamic_batching: {max_queue_size: big}", 1, "dynamic_batching.max_queue_size")]
    [InlineData("dynamic_batching: {preferred_batch_sizes: 4}", 1, "dynamic_batching.preferred_batch_sizes")]
    [InlineData("dynamic_batching:\n  preferred_batch_sizes: [4, 0]", 2, "dynamic_batching.preferred_batch_sizes[1]")]
    [InlineData("dynamic_batching:\n  preferred_batch_sizes: [4, 4]", 2, "dynamic_batching.preferred_batch_sizes[1]")]
    [InlineData("max_batch_size: 8\ndynamic_batching:\n  preferred_batch_sizes:\n    - 4\n    - 16\n", 5, "dynamic_batching.preferred_batch_sizes[1]")]
    // instances
    [InlineData("instances: 0", 1, "instances")]
    [InlineData("instances: 65", 1, "instances")]
    [InlineData("instances: -1", 1, "instances")]
    [InlineData("instances: two", 1, "instances")]
    // version_policy
    [InlineData("version_policy: latest", 1, "version_policy")]
    [InlineData("version_policy: {}", 1, "version_policy")]
    [InlineData("version_policy:\n  latest: 1\n  all: true\n", 3, "version_policy")]
    [InlineData("version_policy: {latest: 0}", 1, "version_policy.latest")]
    [InlineData("version_policy: {latest: many}", 1, "version_policy.latest")]
    [InlineData("version_policy: {all: false}", 1, "version_policy.all")]
    [InlineData("version_policy: {all: yes}", 1, "version_policy.all")]
    [InlineData("version_policy: {specific: []}", 1, "version_policy.specific")]
    [InlineData("version_policy: {specific: 3}", 1, "version_policy.specific")]
    [InlineData("version_policy:\n  specific:\n    - 1\n    - 0\n", 4, "version_policy.specific[1]")]
    [InlineData("version_policy: {specific: [2, 2]}", 1, "version_policy.specific[1]")]
    // labels
    [InlineData("labels: [stable]", 1, "labels")]
    [InlineData("labels: {stable: 0}", 1, "labels.stable")]
    [InlineData("labels: {stable: latest}", 1, "labels.stable")]
    [InlineData("labels:\n  stable: 1\n  'bad/name': 2\n", 3, "labels.bad/name")]
    [InlineData("labels: {'..': 1}", 1, "labels...")]
    // default: only true and false
    [InlineData("default: yes", 1, "default")]
    [InlineData("default: on", 1, "default")]
    [InlineData("default: 1", 1, "default")]
    [InlineData("default: True", 1, "default")]
    [InlineData("default: 'true'", 1, "default")]
    [InlineData("default:", 1, "default")]
    // features
    [InlineData("features: a", 1, "features")]
    [InlineData("features: [a, '']", 1, "features[1]")]
    [InlineData("features: [a, ~]", 1, "features[1]")]
    [InlineData("features: [[a]]", 1, "features[0]")]
    [InlineData("features:\n  - a\n  - b\n  - a\n", 4, "features[2]")]
    // class_labels
    [InlineData("class_labels: setosa", 1, "class_labels")]
    [InlineData("class_labels: [a, {b: 1}]", 1, "class_labels[1]")]
    [InlineData("class_labels:\n  - a\n  - ~\n", 3, "class_labels[1]")]
    // warmup
    [InlineData("warmup: -1", 1, "warmup")]
    [InlineData("warmup: 1001", 1, "warmup")]
    [InlineData("warmup: 2.0", 1, "warmup")]
    // session
    [InlineData("session: 4", 1, "session")]
    [InlineData("session: {intra_op_threads: -1}", 1, "session.intra_op_threads")]
    [InlineData("session: {intra_op_threads: '2'}", 1, "session.intra_op_threads")]
    [InlineData("session:\n  inter_op_threads: x\n", 2, "session.inter_op_threads")]
    [InlineData("session: {graph_optimization_level: max}", 1, "session.graph_optimization_level")]
    [InlineData("session: {graph_optimization_level: ALL}", 1, "session.graph_optimization_level")]
    [InlineData("session: {graph_optimization_level: 99}", 1, "session.graph_optimization_level")]
    [InlineData("session: {graph_optimization_level: [all]}", 1, "session.graph_optimization_level")]
    public void Parse_fails_naming_file_line_and_key_when_a_value_is_bad(string yaml, int line, string key)
    {
        Fails(yaml, line, key);
    }

    [Theory]
    [InlineData("max_batch_size: -1", "expected a non-negative integer, got '-1'")]
    [InlineData("max_batch_size: '8'", "expected a non-negative integer, got the string '8' (write numbers without quotes)")]
    [InlineData("max_batch_size: 010", "expected a non-negative integer, got '010' (write integers without leading zeros)")]
    [InlineData("max_batch_size: 2147483648", "expected a non-negative integer, got '2147483648' (too large)")]
    [InlineData("max_batch_size: [8]", "expected a non-negative integer, got a list")]
    [InlineData("max_batch_size:", "expected a non-negative integer, got nothing (null)")]
    [InlineData("instances: 65", "expected an integer from 1 to 64, got '65'")]
    [InlineData("dynamic_batching: {max_queue_size: 0}", "expected a positive integer, got '0'")]
    [InlineData("default: yes", "expected true or false, got 'yes'")]
    [InlineData("session: {graph_optimization_level: max}", "expected one of disable, basic, extended, all, got 'max'")]
    [InlineData("name: setosa", "'setosa' does not match the model's directory name 'iris'")]
    [InlineData("max_batch_size: 8\ndynamic_batching: {preferred_batch_sizes: [16]}", "16 is larger than max_batch_size (8)")]
    [InlineData("max_batch_size: 0\ndynamic_batching: {}", "cannot be used with max_batch_size: 0")]
    [InlineData("dynamic_batching: false", "remove the key to leave dynamic batching off")]
    [InlineData("version_policy:\n  latest: 1\n  all: true\n", "got latest and all")]
    [InlineData("labels: {'a b': 1}", "label name 'a b' is invalid")]
    [InlineData("features: [a, b, a]", "feature 'a' is listed twice (also at features[0])")]
    public void Parse_messages_say_what_was_expected_and_what_was_found(string yaml, string expected)
    {
        var ex = Assert.Throws<ModelConfigException>(() => Parse(yaml));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_fails_naming_the_line_on_invalid_yaml()
    {
        var ex = Fails("max_batch_size: 8\nfeatures: a: b\nwarmup: 1\n", 2, null);
        Assert.Contains("invalid YAML: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_fails_near_the_line_on_an_unclosed_list()
    {
        var ex = Fails("max_batch_size: 8\nfeatures: [a, b\nwarmup: 1\n", 2, null);
        Assert.Contains("invalid YAML: cannot parse past this line", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_fails_on_a_duplicate_key()
    {
        var ex = Fails("warmup: 1\nwarmup: 2\n", 2, null);
        Assert.Contains("Duplicate key", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parse_fails_when_the_top_level_is_not_a_mapping()
    {
        var ex = Fails("- max_batch_size: 8\n", 1, null);
        Assert.Contains("expected a mapping, got a list", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_fails_on_a_second_document()
    {
        var ex = Fails("warmup: 1\n---\nwarmup: 2\n", 3, null);
        Assert.Contains("expected one YAML document, found 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_fails_on_deep_nesting_before_building_the_tree()
    {
        string yaml = "features: " + new string('[', 10_000) + new string(']', 10_000);
        var ex = Fails(yaml, 1, null);
        Assert.Contains("nesting is deeper than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_fails_when_the_text_is_larger_than_64_KiB()
    {
        string yaml = "# " + new string('x', 64 * 1024) + "\n";
        var ex = Fails(yaml, null, null);
        Assert.Contains("larger than 64 KiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_fails_when_a_key_is_not_a_name()
    {
        Fails("? [a, b]\n: 1\n", 1, null);
    }

    [Theory]
    [InlineData("engine: auto", EngineChoice.Auto)]
    [InlineData("engine: onnxruntime", EngineChoice.OnnxRuntime)]
    [InlineData("engine: trees", EngineChoice.Trees)]
    [InlineData("warmup: 1", EngineChoice.Auto)]
    public void Engine_is_auto_unless_model_yaml_names_one(string yaml, EngineChoice expected) =>
        Assert.Equal(expected, Parse(yaml).Engine);

    [Fact]
    public void An_unknown_engine_is_an_error_listing_the_choices()
    {
        var ex = Assert.Throws<ModelConfigException>(() => Parse("engine: xgboost"));
        Assert.Contains("expected one of auto, onnxruntime, trees", ex.Message, StringComparison.Ordinal);
    }
}
