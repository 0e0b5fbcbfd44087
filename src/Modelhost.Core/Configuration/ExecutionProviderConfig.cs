using YamlDotNet.RepresentationModel;

namespace Modelhost.Core.Configuration;

/// <summary>
/// One execution provider and its options: an entry of <c>session.execution_providers</c> in <c>model.yaml</c> or in the
/// server's settings file, written as a name (<c>cuda</c>) or a mapping (<c>{name: cuda, device_id: 1}</c>).
/// </summary>
public sealed record ExecutionProviderConfig
{
    /// <summary>The names accepted in config, in the order of <see cref="ExecutionProviderKind"/>.</summary>
    public const string KnownNames = "cpu, cuda";

    /// <summary>The CPU with its defaults.</summary>
    public static ExecutionProviderConfig Cpu { get; } = new() { Kind = ExecutionProviderKind.Cpu };

    /// <summary>The provider.</summary>
    public required ExecutionProviderKind Kind { get; init; }

    /// <summary>The GPU to run on (<c>device_id</c>, CUDA only); 0 by default.</summary>
    public int DeviceId { get; init; }

    /// <summary>The most bytes the provider's memory arena may hold on the device (<c>gpu_mem_limit</c>, CUDA only); null for no limit.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>How the device arena grows (<c>arena_extend_strategy</c>: <c>next_power_of_two</c> or <c>same_as_requested</c>); null for the provider's default.</summary>
    public string? ArenaExtendStrategy { get; init; }

    /// <summary>How cuDNN picks convolution algorithms (<c>cudnn_conv_algo_search</c>: <c>exhaustive</c>, <c>heuristic</c> or <c>default</c>); null for the provider's default.</summary>
    public string? CudnnConvAlgoSearch { get; init; }

    /// <summary>The name used in config and messages: <c>cpu</c> or <c>cuda</c>.</summary>
    public string Name => NameOf(Kind);

    /// <summary>The config name of a provider kind.</summary>
    public static string NameOf(ExecutionProviderKind kind) => kind switch
    {
        ExecutionProviderKind.Cuda => "cuda",
        _ => "cpu",
    };

    /// <summary>
    /// Reads a list of providers from a YAML node, as <c>model.yaml</c> does; the server's settings file uses it for its
    /// default.
    /// </summary>
    /// <param name="node">The list.</param>
    /// <param name="file">The file, for messages.</param>
    /// <param name="keyPath">The dotted key of the list, e.g. <c>session.execution_providers</c>.</param>
    /// <exception cref="ModelConfigException">The list is invalid; the message names the file, line and key.</exception>
    public static IReadOnlyList<ExecutionProviderConfig> ReadList(YamlNode node, string file, string keyPath) =>
        ExecutionProvidersReader.Read(node, keyPath, new YamlConfigReader(file));

    /// <summary>One provider from its name and options as text, for settings whose values are strings (environment variables).</summary>
    /// <param name="name">The provider's name: <c>cpu</c> or <c>cuda</c>.</param>
    /// <param name="options">Its options by key (<c>device_id</c>, <c>gpu_mem_limit</c>, ...); a <c>name</c> key is ignored.</param>
    /// <exception cref="FormatException">An unknown provider or option, or a value out of range; the message names it.</exception>
    public static ExecutionProviderConfig Create(string name, IEnumerable<KeyValuePair<string, string>> options) =>
        ExecutionProvidersReader.Create(name, options);
}
