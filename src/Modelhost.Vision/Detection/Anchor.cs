namespace Modelhost.Vision.Detection;

/// <summary>One SSD anchor: a centre and size, normalized to the model input.</summary>
public readonly record struct Anchor(float X, float Y, float Width, float Height);
