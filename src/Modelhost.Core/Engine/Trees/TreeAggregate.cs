namespace Modelhost.Core.Engine.Trees;

/// <summary>How the trees' leaf weights combine (<c>aggregate_function</c>).</summary>
internal enum TreeAggregate
{
    Sum,
    Average,
    Min,
    Max,
}
