namespace Modelhost.Core.Engine;

/// <summary>What kind of value a model input or output is.</summary>
public enum NodeValueKind
{
    /// <summary>A tensor; the only kind with an element type and shape.</summary>
    Tensor,

    /// <summary>A sequence, e.g. the list of maps a scikit-learn ZipMap produces.</summary>
    Sequence,

    /// <summary>A map.</summary>
    Map,

    /// <summary>Anything else: optional, sparse tensor or opaque values.</summary>
    Other,
}
