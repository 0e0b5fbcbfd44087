namespace Modelhost.Core.Configuration;

/// <summary>
/// Per-model overrides of the server's ONNX Runtime session settings: <c>session</c> in <c>model.yaml</c>.
/// A <see langword="null"/> property keeps the server's default.
/// </summary>
public sealed class SessionConfig
{
    /// <summary>No overrides: every setting comes from the server.</summary>
    public static SessionConfig Default { get; } = new();

    /// <summary>
    /// Threads used inside one operator (<c>intra_op_threads</c>, ≥ 0); 0 lets ONNX Runtime choose.
    /// </summary>
    public int? IntraOpThreads
    {
        get;
        init
        {
            ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>
    /// Threads used to run independent operators in parallel (<c>inter_op_threads</c>, ≥ 0); 0 lets ONNX Runtime choose.
    /// </summary>
    public int? InterOpThreads
    {
        get;
        init
        {
            ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>How much the graph is optimized (<c>graph_optimization_level</c>: <c>disable</c>, <c>basic</c>, <c>extended</c> or <c>all</c>).</summary>
    public OptimizationLevel? GraphOptimizationLevel { get; init; }

    /// <summary>
    /// Where the graph runs, in order of preference (<c>execution_providers</c>: <c>[cuda, cpu]</c>, or entries with
    /// options such as <c>{name: cuda, device_id: 1}</c>); null keeps the server's default.
    /// </summary>
    public IReadOnlyList<ExecutionProviderConfig>? ExecutionProviders { get; init; }

    private static void ThrowIfNegative(int? value)
    {
        if (value is { } v)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(v, nameof(value));
        }
    }
}
