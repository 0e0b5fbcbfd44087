namespace Modelhost.Onnx.Reading;

/// <summary>
/// The attributes of an ai.onnx.ml <c>TreeEnsembleClassifier</c> or <c>TreeEnsembleRegressor</c>, read from a model
/// whose graph is that one operator (see <see cref="TreeEnsembleReader"/>). Arrays are as the file has them; an
/// attribute the file leaves out is an empty array. The <c>*AsTensor</c> arrays hold the double-precision variants
/// (<c>nodes_values_as_tensor</c> and so on); at most one of a pair is non-empty. An opset-5 <c>TreeEnsemble</c> is
/// read into the same form, as ONNX Runtime converts it (see <see cref="IsOpset5"/>).
/// </summary>
public sealed class TreeEnsembleDefinition
{
    /// <summary>True for <c>TreeEnsembleClassifier</c>, false for <c>TreeEnsembleRegressor</c>.</summary>
    public required bool IsClassifier { get; init; }

    /// <summary>
    /// True for an opset-5 <c>TreeEnsemble</c>, converted to this form: a regressor whose one output has the input's
    /// element type, each <c>BRANCH_MEMBER</c> node a chain of <c>BRANCH_EQ</c> nodes, one per member, whose true
    /// branches all lead to the member node's true child (so a node may have several parents).
    /// </summary>
    public bool IsOpset5 { get; init; }

    /// <summary>The graph input, as the graph declares it.</summary>
    public required TreeEnsembleValue Input { get; init; }

    /// <summary>The graph input's element type: <see cref="OnnxDataType.Float"/> or <see cref="OnnxDataType.Double"/>.</summary>
    public required OnnxDataType InputType { get; init; }

    /// <summary>The graph outputs, in the graph's order, each naming which operator output it is (0: a classifier's label or a regressor's scores, 1: a classifier's scores).</summary>
    public required IReadOnlyList<TreeEnsembleValue> Outputs { get; init; }

    /// <summary><c>aggregate_function</c>: SUM (the default), AVERAGE, MIN or MAX.</summary>
    public required string AggregateFunction { get; init; }

    /// <summary><c>post_transform</c>: NONE (the default), LOGISTIC, SOFTMAX, SOFTMAX_ZERO or PROBIT.</summary>
    public required string PostTransform { get; init; }

    /// <summary><c>n_targets</c> of a regressor; 0 for a classifier.</summary>
    public required long TargetCount { get; init; }

    /// <summary><c>classlabels_int64s</c>.</summary>
    public required long[] ClassLabelsInt64 { get; init; }

    /// <summary><c>classlabels_strings</c>, as UTF-8 text.</summary>
    public required string[] ClassLabelsStrings { get; init; }

    /// <summary><c>base_values</c>.</summary>
    public required float[] BaseValues { get; init; }

    /// <summary><c>base_values_as_tensor</c>.</summary>
    public required double[] BaseValuesAsTensor { get; init; }

    /// <summary><c>nodes_treeids</c>.</summary>
    public required long[] NodeTreeIds { get; init; }

    /// <summary><c>nodes_nodeids</c>.</summary>
    public required long[] NodeIds { get; init; }

    /// <summary><c>nodes_featureids</c>.</summary>
    public required long[] NodeFeatureIds { get; init; }

    /// <summary><c>nodes_modes</c>.</summary>
    public required string[] NodeModes { get; init; }

    /// <summary><c>nodes_values</c>.</summary>
    public required float[] NodeValues { get; init; }

    /// <summary><c>nodes_values_as_tensor</c>.</summary>
    public required double[] NodeValuesAsTensor { get; init; }

    /// <summary><c>nodes_truenodeids</c>.</summary>
    public required long[] NodeTrueIds { get; init; }

    /// <summary><c>nodes_falsenodeids</c>.</summary>
    public required long[] NodeFalseIds { get; init; }

    /// <summary><c>nodes_missing_value_tracks_true</c>.</summary>
    public required long[] NodeMissingTracksTrue { get; init; }

    /// <summary><c>class_treeids</c> or <c>target_treeids</c>.</summary>
    public required long[] WeightTreeIds { get; init; }

    /// <summary><c>class_nodeids</c> or <c>target_nodeids</c>.</summary>
    public required long[] WeightNodeIds { get; init; }

    /// <summary><c>class_ids</c> or <c>target_ids</c>.</summary>
    public required long[] WeightTargetIds { get; init; }

    /// <summary><c>class_weights</c> or <c>target_weights</c>.</summary>
    public required float[] Weights { get; init; }

    /// <summary><c>class_weights_as_tensor</c> or <c>target_weights_as_tensor</c>.</summary>
    public required double[] WeightsAsTensor { get; init; }
}
