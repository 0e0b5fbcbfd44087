namespace Modelhost.OnnxRuntime;

/// <summary>How much ONNX Runtime rewrites the graph when a session is created (<c>GraphOptimizationLevel</c> in the C API).</summary>
public enum GraphOptimizationLevel
{
    /// <summary>No graph optimizations.</summary>
    DisableAll = 0,

    /// <summary>Semantics-preserving rewrites such as constant folding and redundant node removal.</summary>
    Basic = 1,

    /// <summary>Basic plus more complex fusions.</summary>
    Extended = 2,

    /// <summary>Everything, including layout optimizations.</summary>
    All = 99,
}
