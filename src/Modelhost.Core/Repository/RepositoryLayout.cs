namespace Modelhost.Core.Repository;

/// <summary>The names of the files a model repository's version directories hold: <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/&lt;file&gt;</c>.</summary>
public static class RepositoryLayout
{
    /// <summary>An ONNX model, served by ONNX Runtime.</summary>
    public const string ModelFile = "model.onnx";

    /// <summary>
    /// A fitted ETS forecaster (its parameters and final state, format <c>modelhost.ets/1</c>), which the per-country
    /// pipeline's training jobs write. A directory whose versions hold these and no ONNX model is listed apart and
    /// never loaded into a session.
    /// </summary>
    public const string ForecasterFile = "ets.json";
}
