using System.Runtime.CompilerServices;
using Modelhost.Core.Configuration;
using Modelhost.Vision.Detection;

namespace Modelhost.Core.Detection;

/// <summary>Anchors and output selections computed once per config, not per request.</summary>
internal static class AnchorCache
{
    private static readonly ConditionalWeakTable<VisionConfig, Anchor[]> _anchors = [];
    private static readonly ConditionalWeakTable<VisionConfig, string[]> _outputs = [];

    public static Anchor[] For(VisionConfig vision) => _anchors.GetValue(vision, static v => SsdAnchors.Generate(v.Anchors));

    /// <summary>The score outputs, then the box outputs, in anchor-group order.</summary>
    public static string[] Outputs(VisionConfig vision) => _outputs.GetValue(vision, static v => [.. v.ScoreOutputs, .. v.BoxOutputs]);
}
