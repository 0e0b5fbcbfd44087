namespace Modelhost.Vision.Detection;

/// <summary>
/// SSD anchor generation as MediaPipe's SsdAnchorsCalculator configures it: one layer per stride, layers of
/// the same stride sharing a grid, a number of anchors per cell per layer, and a cell-centre offset.
/// </summary>
public sealed class AnchorOptions
{
    /// <summary>The input's width in pixels.</summary>
    public int InputWidth { get; init; }

    /// <summary>The input's height in pixels.</summary>
    public int InputHeight { get; init; }

    /// <summary>One stride per layer, e.g. BlazeFace front's [8, 16, 16, 16].</summary>
    public int[] Strides { get; init; } = [];

    /// <summary>Anchors per grid cell for each layer (2 for BlazeFace: aspect ratio 1 plus the interpolated scale).</summary>
    public int AnchorsPerLayer { get; init; } = 2;

    /// <summary>The offset of an anchor's centre inside its cell, in cells.</summary>
    public float OffsetX { get; init; } = 0.5f;

    /// <summary>The offset of an anchor's centre inside its cell, in cells.</summary>
    public float OffsetY { get; init; } = 0.5f;

    /// <summary>Smallest anchor scale (ignored with <see cref="FixedSize"/>).</summary>
    public float MinScale { get; init; } = 0.1484375f;

    /// <summary>Largest anchor scale (ignored with <see cref="FixedSize"/>).</summary>
    public float MaxScale { get; init; } = 0.75f;

    /// <summary>Whether every anchor is 1×1, as BlazeFace's are: boxes are then decoded relative to the cell only.</summary>
    public bool FixedSize { get; init; } = true;
}
