namespace Modelhost.Core.Configuration;

/// <summary>Which engine runs a model: <c>engine</c> in <c>model.yaml</c>.</summary>
public enum EngineChoice
{
    /// <summary>The native tree engine when the graph is a single tree ensemble it runs, ONNX Runtime otherwise (<c>auto</c>, the default).</summary>
    Auto,

    /// <summary>ONNX Runtime, always (<c>onnxruntime</c>): the way back if the tree engine is ever in doubt.</summary>
    OnnxRuntime,

    /// <summary>The native tree engine (<c>trees</c>); a model it does not run is unavailable, with the reason.</summary>
    Trees,
}
