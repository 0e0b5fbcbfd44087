namespace Modelhost.Learning;

/// <summary>A trained model over a fixed list of numeric features, exportable to ONNX.</summary>
public interface ITabularModel
{
    /// <summary>The feature names, in the order a row's values are read.</summary>
    IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The name of the target the model predicts.</summary>
    string TargetName { get; }

    /// <summary>
    /// The model as an ONNX file: input <c>input</c>, FP32 <c>[N, F]</c>; a classifier outputs <c>label</c> (INT64
    /// <c>[N]</c>, class ids) and <c>probabilities</c> (FP32 <c>[N, C]</c>), a regressor <c>variable</c> (FP32
    /// <c>[N, 1]</c>). Metadata <c>features</c> and (for classifiers) <c>class_labels</c> hold JSON lists of names.
    /// </summary>
    /// <returns>The serialized model.</returns>
    byte[] ExportOnnx();
}
