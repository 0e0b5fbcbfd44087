using Modelhost.Core.Configuration;

namespace Modelhost.Core.Tests.Configuration;

/// <summary>
/// Thousands of near-valid model.yaml files, each a seeded mutation of one that uses every section. Each must load or
/// be refused with a <see cref="ModelConfigException"/> that names the file; any other exception would fail the
/// model's load with a message no one can act on (or, before the repository catches it, worse).
/// </summary>
public sealed class MutatedModelConfigTests
{
    private const string File = "models/iris/model.yaml";

    private static readonly int Cases =
        int.TryParse(Environment.GetEnvironmentVariable("MODELHOST_MUTATION_CASES"), System.Globalization.CultureInfo.InvariantCulture, out var cases) ? cases * 25 : 3000;

    private static readonly string[] Seeds =
    [
        """
        name: iris
        default: true
        max_batch_size: 32
        dynamic_batching:
          max_queue_delay_us: 2000
          preferred_batch_sizes: [8, 16]
          max_queue_size: 100
        instances: 2
        version_policy: {latest: 2}
        labels: {stable: 1, canary: 2}
        features: [sepal_length, sepal_width, petal_length, petal_width]
        class_labels: [setosa, versicolor, virginica]
        warmup: 2
        engine: auto
        session:
          intra_op_threads: 2
          inter_op_threads: 1
          graph_optimization_level: all
          execution_providers:
            - {name: cuda, device_id: 0, gpu_mem_limit: 4294967296, arena_extend_strategy: same_as_requested, cudnn_conv_algo_search: heuristic}
            - cpu
        training:
          trainer: external
          command: ["python3", "train.py", "--data", "{data}", "--out", "{output_dir}"]
          timeout_s: 3600
          data: iris.csv
        """,
        """
        max_batch_size: 0
        version_policy:
          specific: [1, 3]
        training: {trainer: forest, data: iris.csv, target: species, trees: 300, seed: 1234, test_size: 0.3}
        vision:
          default: true
          input:
            width: 128
            height: 128
            resize: letterbox
            antialias: false
            channels: rgb
            layout: nhwc
            mean: [127.5, 127.5, 127.5]
            std: [127.5, 127.5, 127.5]
          ssd:
            strides: [8, 16, 16, 16]
            anchors_per_layer: 2
            offset: 0.5
            fixed_anchor_size: true
            scores: ["Identity:0", "Identity_1:0"]
            boxes: ["Identity_2:0", "Identity_3:0"]
            keypoints: 6
            values_per_anchor: 16
            box_scale: 128
            score_clipping: 100
            nms: weighted
          labels: [face]
        """,
    ];

    [Fact]
    public void The_seeds_load()
    {
        foreach (var seed in Seeds)
        {
            _ = ModelConfigLoader.Parse(seed, File, "iris");
        }
    }

    [Fact]
    public void Mutated_model_configs_load_or_are_refused_naming_the_file()
    {
        var mutator = new RequestMutator(600);
        var (loaded, failure) = ConfigMutations.Run<ModelConfigException>(Cases, () => mutator.MutateYaml(mutator.Pick(Seeds)), yaml => ModelConfigLoader.Parse(yaml, File, "iris"), File);
        Assert.Null(failure);

        // Both outcomes: mutations that every check refuses would test nothing past the first.
        Assert.InRange(loaded, Cases / 20, Cases - (Cases / 20));
    }
}
