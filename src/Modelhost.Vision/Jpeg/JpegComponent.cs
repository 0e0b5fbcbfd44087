namespace Modelhost.Vision.Jpeg;

/// <summary>One colour component of a frame: its sampling, its geometry in blocks and its decoded data.</summary>
internal sealed class JpegComponent
{
    public JpegComponent(int id, int horizontalSampling, int verticalSampling, int quantTableSlot)
    {
        Id = id;
        HorizontalSampling = horizontalSampling;
        VerticalSampling = verticalSampling;
        QuantTableSlot = quantTableSlot;
    }

    public int Id { get; }

    public int HorizontalSampling { get; }

    public int VerticalSampling { get; }

    public int QuantTableSlot { get; }

    /// <summary>Samples per row: ⌈image width × H / Hmax⌉ (T.81 A.1.1).</summary>
    public int Width { get; set; }

    /// <summary>Rows of samples: ⌈image height × V / Vmax⌉.</summary>
    public int Height { get; set; }

    /// <summary>Blocks per row once padded to whole MCUs; what interleaved scans cover.</summary>
    public int BlocksPerLine { get; set; }

    /// <summary>Rows of blocks once padded to whole MCUs.</summary>
    public int BlocksPerColumn { get; set; }

    /// <summary>Row stride of <see cref="Plane"/>, in samples.</summary>
    public int PlaneStride => BlocksPerLine * 8;

    /// <summary>The dequantisation table, latched when the component's first scan starts (as libjpeg does).</summary>
    public ushort[]? Quant { get; set; }

    /// <summary>Progressive frames only: every block's coefficients, natural order, until all scans are in.</summary>
    public short[]? Coefficients { get; set; }

    /// <summary>The samples after the inverse DCT, <see cref="PlaneStride"/> × <see cref="BlocksPerColumn"/> × 8.</summary>
    public byte[]? Plane { get; set; }

    public JpegHuffmanTable? DcTable { get; set; }

    public JpegHuffmanTable? AcTable { get; set; }

    public int DcPredictor { get; set; }

    /// <summary>Whether any scan has carried data for this component.</summary>
    public bool Scanned { get; set; }
}
