namespace Modelhost.Core.Configuration;

/// <summary>How much ONNX Runtime optimizes a model's graph before running it; <c>session.graph_optimization_level</c> in <c>model.yaml</c>.</summary>
public enum OptimizationLevel
{
    /// <summary>No graph optimizations (<c>disable</c>).</summary>
    Disable,

    /// <summary>Semantics-preserving rewrites such as constant folding and redundant node removal (<c>basic</c>).</summary>
    Basic,

    /// <summary>Basic plus complex node fusions (<c>extended</c>).</summary>
    Extended,

    /// <summary>Every optimization, including layout changes (<c>all</c>).</summary>
    All,
}
