namespace Modelhost.Core.Configuration;

/// <summary>
/// The <c>training</c> section of model.yaml: how a <c>train</c> job makes the model's next version. Only the
/// <c>external</c> trainer exists so far: a program the operator configures, started without a shell.
/// </summary>
/// <example>
/// <code language="yaml">
/// training:
///   trainer: external
///   command: [python3, train.py, --data, "{data}", --out, "{output_dir}"]
///   timeout_s: 3600
///   data: iris.csv
/// </code>
/// </example>
public sealed class TrainingConfig
{
    /// <summary>The placeholders a command may use: <c>{output_dir}</c>, <c>{model}</c>, <c>{next_version}</c> and <c>{data}</c>.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["output_dir", "model", "next_version", "data"];

    /// <summary>The trainer (<c>trainer</c>); only <c>external</c> is known.</summary>
    public string Trainer { get; init; } = "external";

    /// <summary>
    /// The program and its arguments (<c>command</c>), each element one argument, with placeholders; the program runs in
    /// the model's directory.
    /// </summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>How long the program may run before it is killed (<c>timeout_s</c>); no limit when null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The default training data (<c>data</c>): a file name relative to the server's data directory.</summary>
    public string? Data { get; init; }

    /// <summary>
    /// A SELECT on the server's database (<c>query</c>) whose rows are exported to a CSV file that <c>{data}</c> names,
    /// when neither the job nor <see cref="Data"/> names a file.
    /// </summary>
    public string? Query { get; init; }
}
