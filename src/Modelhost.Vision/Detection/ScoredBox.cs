namespace Modelhost.Vision.Detection;

/// <summary>One detected object; coordinates are normalized to the model input until mapped back.</summary>
/// <param name="ClassId">The class index.</param>
/// <param name="Score">The confidence, 0–1.</param>
/// <param name="XMin">Left edge.</param>
/// <param name="YMin">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
/// <param name="Keypoints">Keypoints as x, y pairs.</param>
public sealed record ScoredBox(int ClassId, float Score, float XMin, float YMin, float Width, float Height, float[] Keypoints)
{
    /// <summary>The intersection over union of two boxes.</summary>
    public float IntersectionOverUnion(ScoredBox other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var x0 = Math.Max(XMin, other.XMin);
        var y0 = Math.Max(YMin, other.YMin);
        var x1 = Math.Min(XMin + Width, other.XMin + other.Width);
        var y1 = Math.Min(YMin + Height, other.YMin + other.Height);
        var inner = Math.Max(0, x1 - x0) * Math.Max(0, y1 - y0);
        var union = (Width * Height) + (other.Width * other.Height) - inner;
        return union <= 0 ? 0 : inner / union;
    }
}
