using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Modelhost.Core.Configuration;

/// <summary>
/// Reads typed values out of a YAML node tree, failing with a <see cref="ModelConfigException"/> that names
/// the file, the line and the dotted key path. Strict on purpose: a config that is silently misread is worse
/// than one that is refused.
/// </summary>
internal sealed class YamlConfigReader
{
    private const int MaxShownValueLength = 40;

    private readonly string _file;

    public YamlConfigReader(string file)
    {
        _file = file;
    }

    public static string Join(string? path, string key) => path is null ? key : $"{path}.{key}";

    public static string Index(string path, int index) => $"{path}[{index}]";

    /// <summary>Whether a node is YAML null: <c>~</c>, <c>null</c> or nothing at all.</summary>
    public static bool IsNull(YamlNode node)
        => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
            && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public ModelConfigException Error(YamlNode? node, string? path, string problem, Exception? innerException = null)
    {
        int? line = node is null || node.Start.Line <= 0 ? null : (int)node.Start.Line;
        return Error(line, path, problem, innerException);
    }

    public ModelConfigException Error(int? line, string? path, string problem, Exception? innerException = null)
    {
        string where = line is { } l ? $"{_file}:{l}" : _file;
        string message = path is null ? $"{where}: {problem}" : $"{where}: {path}: {problem}";
        return new ModelConfigException(message, _file, line, path, innerException);
    }

    /// <summary>
    /// The entries of a mapping (a null value counts as an empty mapping). With <paramref name="knownKeys"/>,
    /// any other key fails with a message that lists the known ones.
    /// </summary>
    public List<YamlConfigEntry> Mapping(YamlNode node, string? path, IReadOnlyList<string>? knownKeys)
    {
        if (IsNull(node))
        {
            return [];
        }

        if (node is not YamlMappingNode mapping)
        {
            throw Error(node, path, $"expected a mapping, got {Describe(node)}");
        }

        var entries = new List<YamlConfigEntry>(mapping.Children.Count);
        foreach ((YamlNode keyNode, YamlNode value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name } || IsNull(keyNode))
            {
                throw Error(keyNode, path, $"keys must be plain names, got {Describe(keyNode)}");
            }

            string keyPath = Join(path, name);
            if (knownKeys is not null && !knownKeys.Contains(name, StringComparer.Ordinal))
            {
                throw UnknownKey(keyNode, path, name, knownKeys);
            }

            entries.Add(new YamlConfigEntry(name, keyPath, keyNode, value));
        }

        return entries;
    }

    /// <summary>The items of a sequence (a null value counts as an empty sequence).</summary>
    public IReadOnlyList<YamlNode> Sequence(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Error(node, path, $"expected a list, got {Describe(node)}");
        }

        return [.. sequence.Children];
    }

    /// <summary>
    /// A plain integer in <paramref name="min"/>..<paramref name="max"/>. Quoted values, decimals, exponents,
    /// leading zeros (octal in YAML 1.1) and values beyond <see cref="long"/> are refused.
    /// </summary>
    public long Integer(YamlNode node, string path, long min, long max)
    {
        string expected = DescribeRange(min, max);
        if (node is not YamlScalarNode scalar || IsNull(node))
        {
            throw Error(node, path, $"expected {expected}, got {Describe(node)}");
        }

        string text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            throw Error(node, path, $"expected {expected}, got the string {Quote(text)} (write numbers without quotes)");
        }

        ReadOnlySpan<char> digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            throw Error(node, path, $"expected {expected}, got {Quote(text)}");
        }

        if (digits.Length > 1 && digits[0] == '0')
        {
            throw Error(node, path, $"expected {expected}, got {Quote(text)} (write integers without leading zeros)");
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw Error(node, path, $"expected {expected}, got {Quote(text)} (too large)");
        }

        if (value < min || value > max)
        {
            string hint = value > max && max is int.MaxValue or long.MaxValue ? " (too large)" : "";
            throw Error(node, path, $"expected {expected}, got {Quote(text)}{hint}");
        }

        return value;
    }

    public int Int32(YamlNode node, string path, int min, int max = int.MaxValue) => (int)Integer(node, path, min, max);

    /// <summary>A plain finite number in <paramref name="min"/>..<paramref name="max"/>; quoted values are refused.</summary>
    public double Number(YamlNode node, string path, double min, double max)
    {
        string expected = string.Create(CultureInfo.InvariantCulture, $"a number from {min} to {max}");
        if (node is not YamlScalarNode scalar || IsNull(node) || scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            throw Error(node, path, $"expected {expected}, got {Describe(node)}");
        }

        if (!double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value < min || value > max)
        {
            throw Error(node, path, $"expected {expected}, got {Describe(node)}");
        }

        return value;
    }

    /// <summary>A plain <c>true</c> or <c>false</c>; YAML 1.1 spellings such as <c>yes</c>, <c>on</c> or <c>1</c> are refused.</summary>
    public bool Boolean(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: "true" or "false" } scalar)
        {
            return scalar.Value == "true";
        }

        throw Error(node, path, $"expected true or false, got {Describe(node)}");
    }

    /// <summary>A scalar read as text, quoted or not; null is refused.</summary>
    public string String(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } value } && !IsNull(node))
        {
            return value;
        }

        throw Error(node, path, $"expected a string, got {Describe(node)}");
    }

    /// <summary>How a node is shown after "got" in a message.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing (null)",
        YamlScalarNode scalar => Quote(scalar.Value ?? ""),
        _ => "an unsupported node",
    };

    private static string Quote(string value)
    {
        string shown = value.Length > MaxShownValueLength ? string.Concat(value.AsSpan(0, MaxShownValueLength), "…") : value;
        return $"'{shown.ReplaceLineEndings(" ")}'";
    }

    private static string DescribeRange(long min, long max)
    {
        if (max is int.MaxValue or long.MaxValue)
        {
            return min switch
            {
                0 => "a non-negative integer",
                1 => "a positive integer",
                _ => $"an integer of at least {min}",
            };
        }

        return $"an integer from {min} to {max}";
    }

    private ModelConfigException UnknownKey(YamlNode keyNode, string? path, string name, IReadOnlyList<string> knownKeys)
    {
        string? closest = knownKeys
            .Select(k => (Key: k, Distance: EditDistance(name, k)))
            .Where(c => c.Distance <= Math.Max(1, c.Key.Length / 4))
            .OrderBy(c => c.Distance)
            .Select(c => c.Key)
            .FirstOrDefault();
        string suggestion = closest is null ? "" : $" (did you mean '{closest}'?)";
        string scope = path is null ? "" : $" in {path}";
        string problem = $"unknown key {Quote(name)}{scope}{suggestion}; known keys are: {string.Join(", ", knownKeys)}";
        int? line = keyNode.Start.Line <= 0 ? null : (int)keyNode.Start.Line;
        string where = line is { } l ? $"{_file}:{l}" : _file;

        // The key path goes in Key but not in front of the message: "unknown key 'x'" already names it.
        return new ModelConfigException($"{where}: {problem}", _file, line, Join(path, name));
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
