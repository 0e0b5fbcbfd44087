using System.Collections.ObjectModel;

namespace Modelhost.Core.Configuration;

/// <summary>
/// A model's settings, read from the optional <c>&lt;repository&gt;/&lt;model&gt;/model.yaml</c>.
/// Every key is optional; an empty or missing file gives <see cref="Default"/>. Unknown keys are errors.
/// </summary>
/// <example>
/// <code language="yaml">
/// max_batch_size: 32
/// dynamic_batching: {max_queue_delay_us: 200, preferred_batch_sizes: [8, 16]}
/// instances: 2
/// version_policy: {latest: 2}
/// labels: {stable: 1, canary: 2}
/// features: [sepal_length, sepal_width, petal_length, petal_width]
/// class_labels: [setosa, versicolor, virginica]
/// warmup: 5
/// session: {intra_op_threads: 4, graph_optimization_level: all}
/// engine: auto
/// </code>
/// </example>
public sealed class ModelConfig
{
    internal const int MaxInstances = 64;
    internal const int MaxWarmup = 1000;

    /// <summary>A config with every key at its default.</summary>
    public static ModelConfig Default { get; } = new();

    /// <summary>
    /// The model's name (<c>name</c>). Optional; when present it must equal the model's directory name,
    /// which is what the model is served as.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>
    /// The largest batch one inference may run (<c>max_batch_size</c>, ≥ 0); 0 turns batching off.
    /// <see langword="null"/> when absent: the server then decides from the model's input shapes.
    /// </summary>
    public int? MaxBatchSize
    {
        get;
        init
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(v, nameof(value));
            }

            field = value;
        }
    }

    /// <summary>
    /// Dynamic batching settings (<c>dynamic_batching</c>), or <see langword="null"/> when the key is absent,
    /// in which case the server decides whether to batch.
    /// </summary>
    public DynamicBatchingConfig? DynamicBatching { get; init; }

    /// <summary>Whether <c>dynamic_batching</c> was given, which turns dynamic batching on.</summary>
    public bool DynamicBatchingEnabled => DynamicBatching is not null;

    /// <summary>How many copies of each version run side by side (<c>instances</c>, 1 to 64, default 1).</summary>
    public int Instances
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxInstances);
            field = value;
        }
    } = 1;

    /// <summary>Which versions are served (<c>version_policy</c>, default <c>{latest: 1}</c>).</summary>
    public VersionPolicy VersionPolicy
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = VersionPolicy.Default;

    /// <summary>
    /// Names for versions (<c>labels</c>, e.g. <c>{stable: 1, canary: 2}</c>), so clients can ask for a label
    /// instead of a number. Label names follow the model name rules; versions are &gt; 0. Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, long> Labels
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = ReadOnlyDictionary<string, long>.Empty;

    /// <summary>Whether this is the model behind the single-model <c>POST /predict</c> endpoint (<c>default</c>, default false).</summary>
    public bool IsDefault { get; init; }

    /// <summary>
    /// The named features of <c>POST /predict</c> (<c>features</c>), in the order of the model input's columns.
    /// Unique and non-empty. Empty by default.
    /// </summary>
    public IReadOnlyList<string> Features
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = [];

    /// <summary>
    /// Names for integer class outputs (<c>class_labels</c>): the name at index <c>i</c> is class <c>i</c>. Empty by default.
    /// </summary>
    public IReadOnlyList<string> ClassLabels
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = [];

    /// <summary>
    /// How many inferences on zero-filled inputs each version runs before it reports ready (<c>warmup</c>, 0 to 1000, default 0).
    /// </summary>
    public int Warmup
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxWarmup);
            field = value;
        }
    }

    /// <summary>Overrides of the server's ONNX Runtime session settings (<c>session</c>); none by default.</summary>
    public SessionConfig Session
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = SessionConfig.Default;

    /// <summary>The <c>vision</c> section: image pre-processing and detection post-processing, or null for a plain model.</summary>
    public VisionConfig? Vision { get; init; }

    /// <summary>
    /// Which engine runs the model (<c>engine</c>: <c>auto</c>, the default, <c>onnxruntime</c> or <c>trees</c>).
    /// </summary>
    public EngineChoice Engine { get; init; }

    /// <summary>The <c>training</c> section: how a <c>train</c> job makes the next version, or null when the model is not trained here.</summary>
    public TrainingConfig? Training { get; init; }
}
