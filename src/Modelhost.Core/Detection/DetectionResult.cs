namespace Modelhost.Core.Detection;

/// <summary>The detections in one image, best first, and the image's size.</summary>
/// <param name="ImageWidth">The decoded image's width in pixels.</param>
/// <param name="ImageHeight">The decoded image's height in pixels.</param>
/// <param name="Objects">The detections.</param>
public sealed record DetectionResult(int ImageWidth, int ImageHeight, IReadOnlyList<DetectedObject> Objects);
