namespace Modelhost.Core.Engine.Trees;

/// <summary>What is applied to the aggregated scores (<c>post_transform</c>).</summary>
internal enum TreePostTransform
{
    None,
    Logistic,
    Softmax,
    SoftmaxZero,
    Probit,
}
