using System.Text.RegularExpressions;

namespace Modelhost.Core.Configuration;

/// <summary>Reads the <c>training</c> section of model.yaml; every key and value is checked like the rest of the file.</summary>
internal static partial class TrainingConfigReader
{
    private const int MaxArguments = 256;
    private const int MaxArgumentLength = 4096;
    private const int MaxQueryLength = 10_000;
    private const long MaxTimeoutSeconds = 7 * 24 * 3600;

    private const int MaxTrees = 10_000;

    private static readonly string[] _keys = ["trainer", "command", "timeout_s", "data", "query"];
    private static readonly string[] _builtinKeys = ["trainer", "data", "query", "target", "trees", "seed", "test_size", "task"];
    private static readonly string[] _allKeys = [.. _keys, .. _builtinKeys.Except(_keys)];

    public static TrainingConfig Read(YamlConfigEntry entry, YamlConfigReader reader)
    {
        var entries = reader.Mapping(entry.Value, entry.Path, _allKeys).ToDictionary(e => e.Name, StringComparer.Ordinal);
        if (!entries.TryGetValue("trainer", out var trainer))
        {
            throw reader.Error(entry.Value, entry.Path, "needs 'trainer: external', 'trainer: forest' or 'trainer: linear'");
        }

        var trainerName = reader.String(trainer.Value, trainer.Path);
        if (trainerName != "external" && !TrainingConfig.BuiltinTrainers.Contains(trainerName))
        {
            throw reader.Error(trainer.Value, trainer.Path, $"unknown trainer {YamlConfigReader.Describe(trainer.Value)}; the known trainers are: external, forest, linear");
        }

        var allowed = trainerName == "external" ? _keys : _builtinKeys;
        foreach (var e in entries.Values)
        {
            if (!allowed.Contains(e.Name))
            {
                throw reader.Error(e.KeyNode, e.Path, $"the {trainerName} trainer does not take '{e.Name}'; it takes: {string.Join(", ", allowed)}");
            }
        }

        if (trainerName != "external")
        {
            return ReadBuiltin(trainerName, entry, entries, reader);
        }

        if (!entries.TryGetValue("command", out var command))
        {
            throw reader.Error(entry.Value, entry.Path, "the external trainer needs a 'command': the program and its arguments as a list");
        }

        var data = entries.TryGetValue("data", out var d) ? ReadDataFile(d, reader) : null;
        var query = entries.TryGetValue("query", out var q) ? ReadQuery(q, reader) : null;
        if (data is not null && query is not null)
        {
            throw reader.Error(q.KeyNode, q.Path, "give either 'data' or 'query', not both");
        }

        return new TrainingConfig
        {
            Trainer = trainerName,
            Command = ReadCommand(command, reader),
            Timeout = entries.TryGetValue("timeout_s", out var t) ? TimeSpan.FromSeconds(reader.Integer(t.Value, t.Path, 1, MaxTimeoutSeconds)) : null,
            Data = data,
            Query = query,
        };
    }

    private static TrainingConfig ReadBuiltin(string trainer, YamlConfigEntry entry, Dictionary<string, YamlConfigEntry> entries, YamlConfigReader reader)
    {
        if (!entries.TryGetValue("target", out var target))
        {
            throw reader.Error(entry.Value, entry.Path, $"the {trainer} trainer needs a 'target': the column to learn");
        }

        var targetName = reader.String(target.Value, target.Path);
        if (targetName.Length is 0 or > 255)
        {
            throw reader.Error(target.Value, target.Path, "expected a column name of 1 to 255 characters");
        }

        if (trainer != "forest" && entries.TryGetValue("trees", out var notTrees))
        {
            throw reader.Error(notTrees.KeyNode, notTrees.Path, "only the forest trainer takes 'trees'");
        }

        string? task = null;
        if (entries.TryGetValue("task", out var t))
        {
            task = reader.String(t.Value, t.Path);
            if (task is not ("classification" or "regression"))
            {
                throw reader.Error(t.Value, t.Path, $"unknown task {YamlConfigReader.Describe(t.Value)}; expected classification or regression");
            }
        }

        var data = entries.TryGetValue("data", out var d) ? ReadDataFile(d, reader) : null;
        var query = entries.TryGetValue("query", out var q) ? ReadQuery(q, reader) : null;
        if (data is not null && query is not null)
        {
            throw reader.Error(q.KeyNode, q.Path, "give either 'data' or 'query', not both");
        }

        return new TrainingConfig
        {
            Trainer = trainer,
            Data = data,
            Query = query,
            Target = targetName,
            Trees = entries.TryGetValue("trees", out var trees) ? reader.Int32(trees.Value, trees.Path, 1, MaxTrees) : null,
            Seed = entries.TryGetValue("seed", out var seed) ? reader.Int32(seed.Value, seed.Path, 0) : null,
            TestSize = entries.TryGetValue("test_size", out var size) ? ReadTestSize(size, reader) : null,
            Task = task,
        };
    }

    private static double ReadTestSize(YamlConfigEntry entry, YamlConfigReader reader)
    {
        var value = reader.Number(entry.Value, entry.Path, 0, 1);
        return value < 1 ? value : throw reader.Error(entry.Value, entry.Path, "expected a fraction of at least 0 and below 1");
    }

    private static List<string> ReadCommand(YamlConfigEntry entry, YamlConfigReader reader)
    {
        var items = reader.Sequence(entry.Value, entry.Path);
        if (items.Count == 0)
        {
            throw reader.Error(entry.Value, entry.Path, "expected at least the program to run");
        }

        if (items.Count > MaxArguments)
        {
            throw reader.Error(entry.Value, entry.Path, $"expected at most {MaxArguments} arguments, got {items.Count}");
        }

        var arguments = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var path = YamlConfigReader.Index(entry.Path, i);
            var argument = reader.String(items[i], path);
            if (i == 0 && argument.Trim().Length == 0)
            {
                throw reader.Error(items[i], path, "the program must not be empty");
            }

            if (argument.Length > MaxArgumentLength || argument.Contains('\0', StringComparison.Ordinal))
            {
                throw reader.Error(items[i], path, $"an argument must be at most {MaxArgumentLength} characters, with no NUL");
            }

            foreach (Match match in Placeholder().Matches(argument))
            {
                var name = match.Groups[1].Value;
                if (!TrainingConfig.Placeholders.Contains(name))
                {
                    throw reader.Error(items[i], path,
                        $"unknown placeholder {{{name}}}; known placeholders: {string.Join(", ", TrainingConfig.Placeholders.Select(p => "{" + p + "}"))}");
                }
            }

            arguments.Add(argument);
        }

        return arguments;
    }

    private static string ReadDataFile(YamlConfigEntry entry, YamlConfigReader reader)
    {
        var name = reader.String(entry.Value, entry.Path);
        if (!IsRelativeFileName(name))
        {
            throw reader.Error(entry.Value, entry.Path, "expected a file name relative to the data directory (no absolute path, no '..')");
        }

        return name;
    }

    private static string ReadQuery(YamlConfigEntry entry, YamlConfigReader reader)
    {
        var query = reader.String(entry.Value, entry.Path).Trim();
        if (query.Length > MaxQueryLength)
        {
            throw reader.Error(entry.Value, entry.Path, $"the query is longer than {MaxQueryLength} characters");
        }

        if (!query.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || query.Contains(';', StringComparison.Ordinal))
        {
            throw reader.Error(entry.Value, entry.Path, "expected a single SELECT statement (no ';')");
        }

        return query;
    }

    /// <summary>A relative path of ordinary names: not rooted, no empty, '.' or '..' part, no backslash or NUL.</summary>
    internal static bool IsRelativeFileName(string name)
    {
        if (name.Length is 0 or > 255 || Path.IsPathRooted(name) || name.Contains('\\', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var part in name.Split('/'))
        {
            if (part is "" or "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();
}
