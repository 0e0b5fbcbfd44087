using Modelhost.Core.Tensors;

namespace Modelhost.Core.Engine;

/// <summary>A model input or output as the session describes it.</summary>
/// <param name="Name">The name used to bind the value in <see cref="IEngineSession.Run"/>.</param>
/// <param name="Kind">Whether the value is a tensor, sequence, map or something else.</param>
/// <param name="ElementType">The tensor element type; 0 when <paramref name="Kind"/> is not <see cref="NodeValueKind.Tensor"/>.</param>
/// <param name="Shape">The dimensions, -1 for a dimension that is not fixed; empty for a scalar or a non-tensor.</param>
/// <param name="SymbolicDimensions">The name of each dimension (ONNX dim_param), "" where it has none; same length as <paramref name="Shape"/>.</param>
public sealed record NodeInfo(
    string Name,
    NodeValueKind Kind,
    TensorElementType ElementType,
    long[] Shape,
    string[] SymbolicDimensions);
