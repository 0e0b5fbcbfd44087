using System.Text;
using Modelhost.Core.Repository;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Modelhost.Core.Configuration;

/// <summary>Reads <c>model.yaml</c> into a <see cref="ModelConfig"/>, refusing anything it does not understand.</summary>
internal static class ModelConfigLoader
{
    public const string FileName = "model.yaml";

    /// <summary>A model config is a few lines; a larger file is a mistake (or an attack) rather than a config.</summary>
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>The deepest nesting a valid config has is 3; the cap keeps YamlDotNet's recursive node builder off the stack limit.</summary>
    private const int MaxNestingDepth = 8;

    private static readonly string[] _topLevelKeys =
    [
        "name", "max_batch_size", "dynamic_batching", "instances", "version_policy", "labels",
        "default", "features", "class_labels", "warmup", "session", "vision", "training", "engine",
    ];

    private static readonly string[] _dynamicBatchingKeys = ["max_queue_delay_us", "preferred_batch_sizes", "max_queue_size"];
    private static readonly string[] _versionPolicyKeys = ["latest", "all", "specific"];
    private static readonly string[] _sessionKeys = ["intra_op_threads", "inter_op_threads", "graph_optimization_level", "execution_providers"];

    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and parses a config file.</summary>
    /// <param name="path">The file; its directory's name is the model name that <c>name</c> must match.</param>
    /// <param name="displayPath">How messages name the file, e.g. relative to the repository; <paramref name="path"/> when omitted.</param>
    /// <exception cref="ModelConfigException">The file cannot be read, is too large, or is not a valid config.</exception>
    public static ModelConfig Load(string path, string? displayPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        displayPath ??= path;

        byte[] bytes;
        int length;
        try
        {
            // FileShare.ReadWrite | Delete: an editor or deploy script may be replacing the file while we read it.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxFileBytes)
            {
                throw TooLarge(displayPath);
            }

            // Read one byte past the cap: the file may have grown since Length was taken.
            bytes = new byte[MaxFileBytes + 1];
            length = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelConfigException($"{displayPath}: cannot read the file: {ex.Message}", displayPath, null, null, ex);
        }

        if (length > MaxFileBytes)
        {
            throw TooLarge(displayPath);
        }

        ReadOnlySpan<byte> content = bytes.AsSpan(0, length);
        if (content.StartsWith(Encoding.UTF8.Preamble))
        {
            content = content[Encoding.UTF8.Preamble.Length..];
        }

        string yaml;
        try
        {
            yaml = _strictUtf8.GetString(content);
        }
        catch (DecoderFallbackException ex)
        {
            throw new ModelConfigException($"{displayPath}: the file is not UTF-8 text", displayPath, null, null, ex);
        }

        string modelName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "";
        return Parse(yaml, displayPath, modelName);
    }

    /// <summary>Parses config text.</summary>
    /// <param name="yaml">The text of the file.</param>
    /// <param name="displayPath">How messages name the file.</param>
    /// <param name="modelName">
    /// The model's directory name, which <c>name</c> must match; when omitted it is taken from the directory part of
    /// <paramref name="displayPath"/>, and without one <c>name</c> only has to be a valid model name.
    /// </param>
    /// <exception cref="ModelConfigException">The text is too large or is not a valid config.</exception>
    public static ModelConfig Parse(string yaml, string displayPath, string? modelName = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(displayPath);
        if (Encoding.UTF8.GetByteCount(yaml) > MaxFileBytes)
        {
            throw TooLarge(displayPath);
        }

        modelName ??= Path.GetFileName(Path.GetDirectoryName(displayPath));
        var reader = new YamlConfigReader(displayPath);
        YamlNode? root = LoadSingleDocument(yaml, reader);
        return root is null || YamlConfigReader.IsNull(root) ? ModelConfig.Default : Read(root, reader, modelName);
    }

    private static ModelConfigException TooLarge(string displayPath)
        => new($"{displayPath}: the file is larger than {MaxFileBytes / 1024} KiB; a model config is a few lines", displayPath, null, null);

    private static YamlNode? LoadSingleDocument(string yaml, YamlConfigReader reader)
    {
        try
        {
            CheckNestingDepth(yaml, reader);
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count > 1)
            {
                throw reader.Error(stream.Documents[1].RootNode, null, $"expected one YAML document, found {stream.Documents.Count}");
            }

            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException ex)
        {
            int? line = ex.Start.Line > 0 ? (int)ex.Start.Line : null;
            throw reader.Error(line, null, $"invalid YAML: {WithoutPosition(ex.Message)}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // The event stream parsed, but YamlDotNet's tree builder fails on some of it (a line holding only ':' next
            // to other keys) with a bare exception and no position.
            throw reader.Error((int?)null, null, "invalid YAML: it parses, but not as one mapping of keys to values; is a key missing before a ':'?", ex);
        }
    }

    /// <summary>
    /// Walks the event stream, which is not recursive, before YamlStream builds the tree, which is. Any syntax error
    /// surfaces here first.
    /// </summary>
    private static void CheckNestingDepth(string yaml, YamlConfigReader reader)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0;
        int lastLine = 1;
        try
        {
            while (parser.MoveNext())
            {
                ParsingEvent current = parser.Current!;
                lastLine = (int)current.End.Line;
                switch (current)
                {
                    case MappingStart or SequenceStart:
                        if (++depth > MaxNestingDepth)
                        {
                            throw reader.Error((int)current.Start.Line, null, $"nesting is deeper than {MaxNestingDepth} levels");
                        }

                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet fails on some malformed input (e.g. an unclosed flow list) with a bare exception and no position.
            throw reader.Error(lastLine, null, "invalid YAML: cannot parse past this line; is a bracket or a quote left open?", ex);
        }
    }

    /// <summary>YamlDotNet puts "(Line: 3, Col: 1, Idx: 20) - (Line: ...): " in front of its messages; ours carry the line already.</summary>
    private static string WithoutPosition(string message)
    {
        int range = message.IndexOf(") - (", StringComparison.Ordinal);
        int end = range < 0 ? -1 : message.IndexOf("): ", range, StringComparison.Ordinal);
        return end < 0 ? message : message[(end + 3)..];
    }

    private static ModelConfig Read(YamlNode root, YamlConfigReader reader, string? modelName)
    {
        Dictionary<string, YamlConfigEntry> entries = reader.Mapping(root, null, _topLevelKeys).ToDictionary(e => e.Name, StringComparer.Ordinal);

        // max_batch_size first: dynamic_batching is checked against it wherever it appears in the file.
        int? maxBatchSize = entries.TryGetValue("max_batch_size", out YamlConfigEntry entry)
            ? reader.Int32(entry.Value, entry.Path, 0)
            : null;

        return new ModelConfig
        {
            Name = entries.TryGetValue("name", out entry) ? ReadName(entry, reader, modelName) : null,
            MaxBatchSize = maxBatchSize,
            DynamicBatching = entries.TryGetValue("dynamic_batching", out entry) ? ReadDynamicBatching(entry, reader, maxBatchSize) : null,
            Instances = entries.TryGetValue("instances", out entry) ? reader.Int32(entry.Value, entry.Path, 1, ModelConfig.MaxInstances) : 1,
            VersionPolicy = entries.TryGetValue("version_policy", out entry) ? ReadVersionPolicy(entry, reader) : VersionPolicy.Default,
            Labels = entries.TryGetValue("labels", out entry) ? ReadLabels(entry, reader) : ModelConfig.Default.Labels,
            IsDefault = entries.TryGetValue("default", out entry) && reader.Boolean(entry.Value, entry.Path),
            Features = entries.TryGetValue("features", out entry) ? ReadFeatures(entry, reader) : [],
            ClassLabels = entries.TryGetValue("class_labels", out entry) ? ReadStrings(entry, reader) : [],
            Warmup = entries.TryGetValue("warmup", out entry) ? reader.Int32(entry.Value, entry.Path, 0, ModelConfig.MaxWarmup) : 0,
            Session = entries.TryGetValue("session", out entry) ? ReadSession(entry, reader) : SessionConfig.Default,
            Vision = entries.TryGetValue("vision", out entry) ? VisionConfigReader.Read(entry, reader) : null,
            Training = entries.TryGetValue("training", out entry) ? TrainingConfigReader.Read(entry, reader) : null,
            Engine = entries.TryGetValue("engine", out entry) ? ReadEngine(entry, reader) : EngineChoice.Auto,
        };
    }

    private static string ReadName(YamlConfigEntry entry, YamlConfigReader reader, string? modelName)
    {
        string name = reader.String(entry.Value, entry.Path);
        if (!string.IsNullOrEmpty(modelName))
        {
            if (!string.Equals(name, modelName, StringComparison.Ordinal))
            {
                throw reader.Error(entry.Value, entry.Path,
                    $"'{ModelName.ToDisplay(name)}' does not match the model's directory name '{modelName}'; remove the key or make them equal");
            }
        }
        else if (!ModelName.TryValidate(name, out string? error))
        {
            throw reader.Error(entry.Value, entry.Path, error);
        }

        return name;
    }

    private static DynamicBatchingConfig ReadDynamicBatching(YamlConfigEntry entry, YamlConfigReader reader, int? maxBatchSize)
    {
        if (entry.Value is YamlScalarNode && !YamlConfigReader.IsNull(entry.Value))
        {
            throw reader.Error(entry.Value, entry.Path,
                $"expected a mapping ({{}} turns dynamic batching on with defaults), got {YamlConfigReader.Describe(entry.Value)}; "
                + "remove the key to leave dynamic batching off");
        }

        if (maxBatchSize == 0)
        {
            throw reader.Error(entry.KeyNode, entry.Path, "cannot be used with max_batch_size: 0, which turns batching off");
        }

        int maxQueueDelay = DynamicBatchingConfig.DefaultMaxQueueDelayMicroseconds;
        int maxQueueSize = DynamicBatchingConfig.DefaultMaxQueueSize;
        var preferred = new List<int>();
        var seen = new HashSet<int>();
        foreach (YamlConfigEntry item in reader.Mapping(entry.Value, entry.Path, _dynamicBatchingKeys))
        {
            switch (item.Name)
            {
                case "max_queue_delay_us":
                    maxQueueDelay = reader.Int32(item.Value, item.Path, 0);
                    break;
                case "max_queue_size":
                    maxQueueSize = reader.Int32(item.Value, item.Path, 1);
                    break;
                default:
                    IReadOnlyList<YamlNode> sizes = reader.Sequence(item.Value, item.Path);
                    for (int i = 0; i < sizes.Count; i++)
                    {
                        string path = YamlConfigReader.Index(item.Path, i);
                        int size = reader.Int32(sizes[i], path, 1);
                        if (size > maxBatchSize)
                        {
                            throw reader.Error(sizes[i], path, $"{size} is larger than max_batch_size ({maxBatchSize})");
                        }

                        if (!seen.Add(size))
                        {
                            throw reader.Error(sizes[i], path, $"{size} is listed twice");
                        }

                        preferred.Add(size);
                    }

                    break;
            }
        }

        return new DynamicBatchingConfig
        {
            MaxQueueDelayMicroseconds = maxQueueDelay,
            MaxQueueSize = maxQueueSize,
            PreferredBatchSizes = preferred,
        };
    }

    private static VersionPolicy ReadVersionPolicy(YamlConfigEntry entry, YamlConfigReader reader)
    {
        List<YamlConfigEntry> forms = reader.Mapping(entry.Value, entry.Path, _versionPolicyKeys);
        if (forms.Count != 1)
        {
            YamlNode at = forms.Count > 1 ? forms[1].KeyNode : entry.Value;
            string got = forms.Count == 0 ? "none" : string.Join(" and ", forms.Select(f => f.Name));
            throw reader.Error(at, entry.Path, $"expected exactly one of {{latest: N}}, {{all: true}} or {{specific: [versions]}}, got {got}");
        }

        YamlConfigEntry form = forms[0];
        switch (form.Name)
        {
            case "latest":
                return VersionPolicy.Latest(reader.Int32(form.Value, form.Path, 1));
            case "all":
                if (!reader.Boolean(form.Value, form.Path))
                {
                    throw reader.Error(form.Value, form.Path, "expected true, got 'false'; use {latest: N} or {specific: [...]} to serve fewer versions");
                }

                return VersionPolicy.All;
            default:
                IReadOnlyList<YamlNode> items = reader.Sequence(form.Value, form.Path);
                if (items.Count == 0)
                {
                    throw reader.Error(form.Value, form.Path, "expected at least one version");
                }

                var versions = new HashSet<long>(items.Count);
                for (int i = 0; i < items.Count; i++)
                {
                    string path = YamlConfigReader.Index(form.Path, i);
                    long version = reader.Integer(items[i], path, 1, long.MaxValue);
                    if (!versions.Add(version))
                    {
                        throw reader.Error(items[i], path, $"version {version} is listed twice");
                    }
                }

                return VersionPolicy.Specific(versions);
        }
    }

    private static IReadOnlyDictionary<string, long> ReadLabels(YamlConfigEntry entry, YamlConfigReader reader)
    {
        var labels = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (YamlConfigEntry label in reader.Mapping(entry.Value, entry.Path, knownKeys: null))
        {
            if (!ModelName.TryValidate(label.Name, "label name", out string? error))
            {
                throw reader.Error(label.KeyNode, label.Path, error);
            }

            labels.Add(label.Name, reader.Integer(label.Value, label.Path, 1, long.MaxValue));
        }

        return labels.AsReadOnly();
    }

    private static List<string> ReadFeatures(YamlConfigEntry entry, YamlConfigReader reader)
    {
        IReadOnlyList<YamlNode> items = reader.Sequence(entry.Value, entry.Path);
        var features = new List<string>(items.Count);
        var firstIndex = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            string path = YamlConfigReader.Index(entry.Path, i);
            string feature = reader.String(items[i], path);
            if (feature.Length == 0)
            {
                throw reader.Error(items[i], path, "feature names must not be empty");
            }

            if (!firstIndex.TryAdd(feature, i))
            {
                int first = firstIndex[feature];
                throw reader.Error(items[i], path, $"feature {YamlConfigReader.Describe(items[i])} is listed twice (also at {YamlConfigReader.Index(entry.Path, first)})");
            }

            features.Add(feature);
        }

        return features;
    }

    private static List<string> ReadStrings(YamlConfigEntry entry, YamlConfigReader reader)
    {
        IReadOnlyList<YamlNode> items = reader.Sequence(entry.Value, entry.Path);
        var values = new List<string>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            values.Add(reader.String(items[i], YamlConfigReader.Index(entry.Path, i)));
        }

        return values;
    }

    private static EngineChoice ReadEngine(YamlConfigEntry entry, YamlConfigReader reader) =>
        reader.String(entry.Value, entry.Path) switch
        {
            "auto" => EngineChoice.Auto,
            "onnxruntime" => EngineChoice.OnnxRuntime,
            "trees" => EngineChoice.Trees,
            _ => throw reader.Error(entry.Value, entry.Path, $"expected one of auto, onnxruntime, trees, got {YamlConfigReader.Describe(entry.Value)}"),
        };

    private static SessionConfig ReadSession(YamlConfigEntry entry, YamlConfigReader reader)
    {
        int? intra = null;
        int? inter = null;
        OptimizationLevel? level = null;
        IReadOnlyList<ExecutionProviderConfig>? providers = null;
        foreach (YamlConfigEntry item in reader.Mapping(entry.Value, entry.Path, _sessionKeys))
        {
            switch (item.Name)
            {
                case "intra_op_threads":
                    intra = reader.Int32(item.Value, item.Path, 0);
                    break;
                case "inter_op_threads":
                    inter = reader.Int32(item.Value, item.Path, 0);
                    break;
                case "execution_providers":
                    providers = ExecutionProvidersReader.Read(item.Value, item.Path, reader);
                    break;
                default:
                    level = reader.String(item.Value, item.Path) switch
                    {
                        "disable" => OptimizationLevel.Disable,
                        "basic" => OptimizationLevel.Basic,
                        "extended" => OptimizationLevel.Extended,
                        "all" => OptimizationLevel.All,
                        _ => throw reader.Error(item.Value, item.Path,
                            $"expected one of disable, basic, extended, all, got {YamlConfigReader.Describe(item.Value)}"),
                    };
                    break;
            }
        }

        return new SessionConfig { IntraOpThreads = intra, InterOpThreads = inter, GraphOptimizationLevel = level, ExecutionProviders = providers };
    }
}
