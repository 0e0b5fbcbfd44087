namespace Modelhost.Core.Detection;

/// <summary>One detection in original-image pixels.</summary>
/// <param name="Label">The class name.</param>
/// <param name="Score">The confidence, 0–1.</param>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
/// <param name="Keypoints">Keypoints as x, y pairs.</param>
public sealed record DetectedObject(string Label, float Score, double X, double Y, double Width, double Height, double[] Keypoints);
