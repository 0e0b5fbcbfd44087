namespace Modelhost.Vision.Processing;

/// <summary>The order of the colour channels a model expects.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue.</summary>
    Rgb,

    /// <summary>Blue, green, red, as OpenCV-trained models expect.</summary>
    Bgr,
}
