namespace Modelhost.Onnx.Reading;

/// <summary>A graph input or output of a tree-ensemble model, as the graph declares it.</summary>
/// <param name="Name">The value's name in the graph.</param>
/// <param name="OperatorOutput">For an output, which output of the operator it is (0 or 1); -1 for the input.</param>
/// <param name="Dims">The declared dimensions, -1 where a dimension is not fixed; null when the graph declares no shape.</param>
/// <param name="DimNames">The dimensions' symbolic names, "" where there is none; null when the graph declares no shape.</param>
public sealed record TreeEnsembleValue(string Name, int OperatorOutput, long[]? Dims, string[]? DimNames);
