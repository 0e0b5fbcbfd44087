namespace Modelhost.Vision.Detection;

/// <summary>How overlapping boxes are merged.</summary>
public enum NmsMode
{
    /// <summary>Keep the best box, drop the ones that overlap it.</summary>
    Hard,

    /// <summary>Average each cluster of overlapping boxes, weighted by score, as MediaPipe does for faces.</summary>
    Weighted,
}
