namespace Modelhost.Core.Engine.Trees;

/// <summary>The shape of a compiled ensemble's evaluation: a regressor, or a classifier with its label rules.</summary>
internal enum TreeEnsembleKind
{
    Regressor,
    Classifier,
}
