using YamlDotNet.RepresentationModel;

namespace Modelhost.Core.Configuration;

/// <summary>Reads <c>execution_providers</c>: a list of provider names, or mappings of a name and its options.</summary>
internal static class ExecutionProvidersReader
{
    private static readonly string[] _cpuKeys = ["name"];
    private static readonly string[] _cudaKeys = ["name", "device_id", "gpu_mem_limit", "arena_extend_strategy", "cudnn_conv_algo_search"];
    private static readonly string[] _arenaStrategies = ["next_power_of_two", "same_as_requested"];
    private static readonly string[] _convAlgoSearches = ["exhaustive", "heuristic", "default"];

    public static IReadOnlyList<ExecutionProviderConfig> Read(YamlNode node, string path, YamlConfigReader reader)
    {
        if (YamlConfigReader.IsNull(node))
        {
            throw reader.Error(node, path, $"expected a list of execution providers ({ExecutionProviderConfig.KnownNames}), got nothing (null)");
        }

        var items = reader.Sequence(node, path);
        if (items.Count == 0)
        {
            throw reader.Error(node, path, $"list at least one execution provider ({ExecutionProviderConfig.KnownNames})");
        }

        var providers = new List<ExecutionProviderConfig>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = YamlConfigReader.Index(path, i);
            var provider = items[i] is YamlMappingNode ? ReadMapping(items[i], itemPath, reader) : new ExecutionProviderConfig { Kind = Kind(items[i], itemPath, reader) };
            if (providers.Exists(p => p.Kind == provider.Kind))
            {
                throw reader.Error(items[i], itemPath, $"execution provider '{provider.Name}' is listed twice");
            }

            providers.Add(provider);
        }

        return providers;
    }

    /// <summary>
    /// One provider from its name and options as text (the server's layered settings, where values are strings);
    /// the message of the <see cref="FormatException"/> names the option, not where it came from.
    /// </summary>
    public static ExecutionProviderConfig Create(string name, IEnumerable<KeyValuePair<string, string>> options)
    {
        var kind = name switch
        {
            "cpu" => ExecutionProviderKind.Cpu,
            "cuda" => ExecutionProviderKind.Cuda,
            _ => throw new FormatException($"unknown execution provider '{name}'; known providers are: {ExecutionProviderConfig.KnownNames}"),
        };
        var known = kind == ExecutionProviderKind.Cuda ? _cudaKeys : _cpuKeys;
        var config = new ExecutionProviderConfig { Kind = kind };
        foreach (var (key, value) in options)
        {
            config = key switch
            {
                "name" => config,
                "device_id" when int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id <= 1023
                    => config with { DeviceId = id },
                "gpu_mem_limit" when long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes) && bytes >= 1
                    => config with { MemoryLimitBytes = bytes },
                "arena_extend_strategy" when Array.IndexOf(_arenaStrategies, value) >= 0 => config with { ArenaExtendStrategy = value },
                "cudnn_conv_algo_search" when Array.IndexOf(_convAlgoSearches, value) >= 0 => config with { CudnnConvAlgoSearch = value },
                _ when Array.IndexOf(known, key) < 0
                    => throw new FormatException($"unknown option '{key}' for execution provider '{name}'; known options are: {string.Join(", ", known)}"),
                "device_id" => throw new FormatException($"device_id: expected an integer from 0 to 1023, got '{value}'"),
                "gpu_mem_limit" => throw new FormatException($"gpu_mem_limit: expected a positive number of bytes, got '{value}'"),
                "arena_extend_strategy" => throw new FormatException($"arena_extend_strategy: expected one of {string.Join(", ", _arenaStrategies)}, got '{value}'"),
                _ => throw new FormatException($"cudnn_conv_algo_search: expected one of {string.Join(", ", _convAlgoSearches)}, got '{value}'"),
            };
        }

        return config;
    }

    private static ExecutionProviderConfig ReadMapping(YamlNode node, string path, YamlConfigReader reader)
    {
        var entries = reader.Mapping(node, path, knownKeys: null);
        var nameEntry = entries.Find(e => e.Name == "name");
        if (nameEntry.Path is null)
        {
            throw reader.Error(node, path, $"an execution provider given as a mapping needs a name ({ExecutionProviderConfig.KnownNames})");
        }

        var kind = Kind(nameEntry.Value, nameEntry.Path, reader);

        // Checked again with the provider's own keys, so that an unknown option names the keys this provider has.
        entries = reader.Mapping(node, path, kind == ExecutionProviderKind.Cuda ? _cudaKeys : _cpuKeys);
        var config = new ExecutionProviderConfig { Kind = kind };
        foreach (var entry in entries)
        {
            config = entry.Name switch
            {
                "device_id" => config with { DeviceId = reader.Int32(entry.Value, entry.Path, 0, 1023) },
                "gpu_mem_limit" => config with { MemoryLimitBytes = reader.Integer(entry.Value, entry.Path, 1, long.MaxValue) },
                "arena_extend_strategy" => config with { ArenaExtendStrategy = OneOf(entry, _arenaStrategies, reader) },
                "cudnn_conv_algo_search" => config with { CudnnConvAlgoSearch = OneOf(entry, _convAlgoSearches, reader) },
                _ => config,
            };
        }

        return config;
    }

    private static ExecutionProviderKind Kind(YamlNode node, string path, YamlConfigReader reader) =>
        reader.String(node, path) switch
        {
            "cpu" => ExecutionProviderKind.Cpu,
            "cuda" => ExecutionProviderKind.Cuda,
            _ => throw reader.Error(node, path, $"unknown execution provider {YamlConfigReader.Describe(node)}; known providers are: {ExecutionProviderConfig.KnownNames}"),
        };

    private static string OneOf(YamlConfigEntry entry, string[] allowed, YamlConfigReader reader)
    {
        var value = reader.String(entry.Value, entry.Path);
        return Array.IndexOf(allowed, value) >= 0
            ? value
            : throw reader.Error(entry.Value, entry.Path, $"expected one of {string.Join(", ", allowed)}, got {YamlConfigReader.Describe(entry.Value)}");
    }
}
