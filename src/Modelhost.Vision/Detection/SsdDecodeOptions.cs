namespace Modelhost.Vision.Detection;

/// <summary>How raw SSD outputs become boxes, as MediaPipe's TensorsToDetectionsCalculator configures it.</summary>
public sealed class SsdDecodeOptions
{
    /// <summary>Values per anchor in the box output: 4 box values, then 2 per keypoint (16 for BlazeFace).</summary>
    public int ValuesPerAnchor { get; init; } = 16;

    /// <summary>Keypoints per box (6 for BlazeFace).</summary>
    public int Keypoints { get; init; } = 6;

    /// <summary>Divides raw x offsets and widths (the input width for BlazeFace: 128 or 256).</summary>
    public float XScale { get; init; } = 128f;

    /// <summary>Divides raw y offsets and heights.</summary>
    public float YScale { get; init; } = 128f;

    /// <summary>Divides raw widths.</summary>
    public float WScale { get; init; } = 128f;

    /// <summary>Divides raw heights.</summary>
    public float HScale { get; init; } = 128f;

    /// <summary>Raw scores are clipped to ±this before the sigmoid.</summary>
    public float ScoreClipping { get; init; } = 100f;

    /// <summary>Whether scores are logits that need a sigmoid.</summary>
    public bool Sigmoid { get; init; } = true;
}
