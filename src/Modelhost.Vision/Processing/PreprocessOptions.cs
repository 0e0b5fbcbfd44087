namespace Modelhost.Vision.Processing;

/// <summary>How an image becomes a model's input tensor; set in the <c>vision.input</c> section of model.yaml.</summary>
public sealed class PreprocessOptions
{
    /// <summary>The input's width in pixels.</summary>
    public int Width { get; init; }

    /// <summary>The input's height in pixels.</summary>
    public int Height { get; init; }

    /// <summary>Letterbox (keep the aspect ratio and pad) or stretch.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.Letterbox;

    /// <summary>Whether shrinking widens the bilinear filter to cover every source pixel (on by default).</summary>
    public bool Antialias { get; init; } = true;

    /// <summary>The channel order the model expects.</summary>
    public ChannelOrder Channels { get; init; } = ChannelOrder.Rgb;

    /// <summary>The tensor layout the model expects.</summary>
    public TensorLayout Layout { get; init; } = TensorLayout.Nhwc;

    /// <summary>Each 0–255 value is multiplied by this first.</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>Then this is subtracted, per channel in the model's channel order.</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];

    /// <summary>Then the result is divided by this, per channel in the model's channel order.</summary>
    public float[] Std { get; init; } = [1f, 1f, 1f];

    /// <summary>The 0–255 value that fills the letterbox padding, before normalization.</summary>
    public byte PadValue { get; init; }

    /// <summary>Whether the tensor holds raw bytes (UINT8) rather than normalized floats.</summary>
    public bool AsBytes { get; init; }
}
