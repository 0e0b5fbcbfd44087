namespace Modelhost.Core.Configuration;

/// <summary>
/// The detection features a request may leave out, with the seed's defaults (score_th 0.3, nms_iou 0.4,
/// min_height and min_width 0.03 of the image, maxResults 20); <c>vision.defaults</c> in model.yaml overrides them.
/// </summary>
public sealed class VisionDefaults
{
    /// <summary>The seed's defaults.</summary>
    public static VisionDefaults Seed { get; } = new();

    /// <summary>Boxes scoring below this are dropped.</summary>
    public float ScoreThreshold { get; init; } = 0.3f;

    /// <summary>Boxes overlapping a better one by more than this IoU are merged into it.</summary>
    public float NmsIou { get; init; } = 0.4f;

    /// <summary>Boxes shorter than this fraction of the image height are dropped.</summary>
    public float MinHeight { get; init; } = 0.03f;

    /// <summary>Boxes narrower than this fraction of the image width are dropped.</summary>
    public float MinWidth { get; init; } = 0.03f;

    /// <summary>At most this many boxes are returned.</summary>
    public int MaxResults { get; init; } = 20;
}
