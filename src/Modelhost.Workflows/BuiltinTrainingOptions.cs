using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Modelhost.Core.Configuration;
using Modelhost.Jobs.Workers;

namespace Modelhost.Workflows;

/// <summary>What a built-in trainer (<c>forest</c>, <c>linear</c>) learns: from model.yaml's <c>training</c> section or a job's payload.</summary>
public sealed record BuiltinTrainingOptions
{
    /// <summary>The most trees a forest may have.</summary>
    public const int MaxTrees = 10_000;

    /// <summary>The longest target column name.</summary>
    public const int MaxTargetLength = 255;

    /// <summary>The learner: <c>forest</c> or <c>linear</c>.</summary>
    public required string Trainer { get; init; }

    /// <summary>The column to learn.</summary>
    public required string Target { get; init; }

    /// <summary>The number of trees of a forest.</summary>
    public int Trees { get; init; } = 100;

    /// <summary>The seed of the split and the learner.</summary>
    public int Seed { get; init; }

    /// <summary>The fraction of rows held out for the metrics; 0 trains on every row.</summary>
    public double TestSize { get; init; } = 0.2;

    /// <summary><c>classification</c>, <c>regression</c>, or null to infer from the target column.</summary>
    public string? Task { get; init; }

    /// <summary>The options of model.yaml's <c>training</c> section.</summary>
    /// <exception cref="PermanentJobFailureException">The section names no target.</exception>
    public static BuiltinTrainingOptions FromConfig(TrainingConfig config) => new()
    {
        Trainer = config.Trainer,
        Target = config.Target ?? throw new PermanentJobFailureException("the training section names no target"),
        Trees = config.Trees ?? 100,
        Seed = config.Seed ?? 0,
        TestSize = config.TestSize ?? 0.2,
        Task = config.Task,
    };

    /// <summary>Reads the options a job's payload carries (the CLI writes them); every value is checked.</summary>
    public static BuiltinTrainingOptions FromPayload(JsonElement payload)
    {
        var trainer = payload.GetProperty("trainer").GetString();
        if (trainer is null || !TrainingConfig.BuiltinTrainers.Contains(trainer))
        {
            throw new PermanentJobFailureException($"unknown trainer '{trainer}' in the job's payload; known built-in trainers: forest, linear");
        }

        var target = payload.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
        if (target is null || target.Length is 0 or > MaxTargetLength)
        {
            throw new PermanentJobFailureException("the job's payload names no target column");
        }

        var options = new BuiltinTrainingOptions
        {
            Trainer = trainer,
            Target = target,
            Trees = payload.TryGetProperty("trees", out var n) && n.TryGetInt32(out var trees) ? trees : 100,
            Seed = payload.TryGetProperty("seed", out var s) && s.TryGetInt32(out var seed) ? seed : 0,
            TestSize = payload.TryGetProperty("test_size", out var z) && z.TryGetDouble(out var size) ? size : 0.2,
            Task = payload.TryGetProperty("task", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null,
        };
        return options.Validate() is { } error ? throw new PermanentJobFailureException(error) : options;
    }

    /// <summary>The first problem with the options, or null.</summary>
    public string? Validate()
    {
        if (Trees is < 1 or > MaxTrees)
        {
            return string.Create(CultureInfo.InvariantCulture, $"trees must be from 1 to {MaxTrees}, got {Trees}");
        }

        if (!(TestSize >= 0 && TestSize < 1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"the test size must be at least 0 and below 1, got {TestSize}");
        }

        if (Seed < 0)
        {
            return "the seed must not be negative";
        }

        return Task is null or "classification" or "regression" ? null : $"unknown task '{Task}'; expected classification or regression";
    }

    /// <summary>Adds the options to a job's payload.</summary>
    public void WriteTo(JsonObject payload)
    {
        payload["trainer"] = Trainer;
        payload["target"] = Target;
        if (Trainer == "forest")
        {
            payload["trees"] = Trees;
        }

        payload["seed"] = Seed;
        payload["test_size"] = TestSize;
        if (Task is not null)
        {
            payload["task"] = Task;
        }
    }
}
