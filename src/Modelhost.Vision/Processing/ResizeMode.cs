namespace Modelhost.Vision.Processing;

/// <summary>How an image is fitted to a model's fixed input size.</summary>
public enum ResizeMode
{
    /// <summary>Keep the aspect ratio and pad the rest (MediaPipe's and YOLO's letterbox).</summary>
    Letterbox,

    /// <summary>Scale each axis on its own to fill the input.</summary>
    Stretch,
}
