namespace Modelhost.Core.Detection;

/// <summary>The seed's per-request detection features; a null field takes the model's default.</summary>
public sealed class DetectionFeatures
{
    /// <summary>Boxes scoring below this are dropped (0–1).</summary>
    public float? ScoreThreshold { get; init; }

    /// <summary>The IoU above which overlapping boxes are merged (0–1).</summary>
    public float? NmsIou { get; init; }

    /// <summary>The smallest box height, as a fraction of the image height.</summary>
    public float? MinHeight { get; init; }

    /// <summary>The smallest box width, as a fraction of the image width.</summary>
    public float? MinWidth { get; init; }

    /// <summary>The most boxes to return.</summary>
    public int? MaxResults { get; init; }
}
