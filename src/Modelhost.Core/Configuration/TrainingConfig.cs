namespace Modelhost.Core.Configuration;

/// <summary>
/// The <c>training</c> section of model.yaml: how a <c>train</c> job makes the model's next version. The <c>external</c>
/// trainer is a program the operator configures, started without a shell; the built-in trainers <c>forest</c> (a random
/// forest) and <c>linear</c> (linear or logistic regression) learn from a CSV file inside the server.
/// </summary>
/// <example>
/// <code language="yaml">
/// training:
///   trainer: external
///   command: [python3, train.py, --data, "{data}", --out, "{output_dir}"]
///   timeout_s: 3600
///   data: iris.csv
/// </code>
/// <code language="yaml">
/// training: {trainer: forest, data: iris.csv, target: species, trees: 300, seed: 1234, test_size: 0.3}
/// </code>
/// </example>
public sealed class TrainingConfig
{
    /// <summary>The placeholders a command may use: <c>{output_dir}</c>, <c>{model}</c>, <c>{next_version}</c> and <c>{data}</c>.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["output_dir", "model", "next_version", "data"];

    /// <summary>The built-in trainers: <c>forest</c> and <c>linear</c>.</summary>
    public static IReadOnlyList<string> BuiltinTrainers { get; } = ["forest", "linear"];

    /// <summary>The trainer (<c>trainer</c>): <c>external</c>, <c>forest</c> or <c>linear</c>.</summary>
    public string Trainer { get; init; } = "external";

    /// <summary>Whether <see cref="Trainer"/> is one of the <see cref="BuiltinTrainers"/>.</summary>
    public bool IsBuiltin => BuiltinTrainers.Contains(Trainer);

    /// <summary>
    /// The program and its arguments (<c>command</c>), each element one argument, with placeholders; the program runs in
    /// the model's directory. Empty for the built-in trainers.
    /// </summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>How long the program may run before it is killed (<c>timeout_s</c>); no limit when null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The default training data (<c>data</c>): a file name relative to the server's data directory.</summary>
    public string? Data { get; init; }

    /// <summary>
    /// A SELECT on the server's database (<c>query</c>) whose rows are exported to a CSV file that <c>{data}</c> names,
    /// when neither the job nor <see cref="Data"/> names a file.
    /// </summary>
    public string? Query { get; init; }

    /// <summary>The target column of the data (<c>target</c>); built-in trainers only.</summary>
    public string? Target { get; init; }

    /// <summary>The number of trees (<c>trees</c>); the <c>forest</c> trainer only; 100 when null.</summary>
    public int? Trees { get; init; }

    /// <summary>The seed of the split and the learner (<c>seed</c>); built-in trainers only; 0 when null.</summary>
    public int? Seed { get; init; }

    /// <summary>The fraction of rows held out for the metrics (<c>test_size</c>), in [0, 1); 0 trains on every row; 0.2 when null.</summary>
    public double? TestSize { get; init; }

    /// <summary>The task (<c>task</c>): <c>classification</c> or <c>regression</c>; inferred from the target column when null.</summary>
    public string? Task { get; init; }
}
