namespace Modelhost.Vision.Processing;

/// <summary>The order of a batch of images' dimensions.</summary>
public enum TensorLayout
{
    /// <summary>[batch, height, width, channels], as TensorFlow and MediaPipe models take.</summary>
    Nhwc,

    /// <summary>[batch, channels, height, width], as PyTorch models take.</summary>
    Nchw,
}
