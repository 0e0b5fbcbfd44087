using Modelhost.Core.Configuration;

namespace Modelhost.Core.Engine;

/// <summary>Settings for <see cref="IInferenceEngine.CreateSession"/>; read once, when the session is created.</summary>
public sealed class EngineSessionOptions
{
    /// <summary>Threads used within one operator; 0 lets the engine choose (one per physical core).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int IntraOpThreads
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>Threads used to run independent operators in parallel; 0 lets the engine choose.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int InterOpThreads
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>How much the graph is optimized at load; <see cref="OptimizationLevel.All"/> by default.</summary>
    public OptimizationLevel OptimizationLevel { get; set; } = OptimizationLevel.All;

    /// <summary>
    /// Whether the engine's worker threads spin while waiting for work. Off by default: spinning lowers latency
    /// slightly but keeps cores busy on an idle server.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>
    /// The execution providers to place the graph on, in order of preference; the CPU takes whatever the others
    /// cannot run. Empty, the default, means the CPU alone.
    /// </summary>
    public IReadOnlyList<ExecutionProviderConfig> ExecutionProviders { get; set; } = [];
}
