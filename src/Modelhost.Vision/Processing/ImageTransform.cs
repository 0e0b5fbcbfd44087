namespace Modelhost.Vision.Processing;

/// <summary>
/// Where an image landed inside a model's input: its scale and padding, so that coordinates the model gives
/// (normalized to the input) map back to the original image's pixels.
/// </summary>
/// <param name="ImageWidth">The original image's width in pixels.</param>
/// <param name="ImageHeight">The original image's height in pixels.</param>
/// <param name="InputWidth">The model input's width.</param>
/// <param name="InputHeight">The model input's height.</param>
/// <param name="ScaleX">Input pixels per image pixel, horizontally.</param>
/// <param name="ScaleY">Input pixels per image pixel, vertically.</param>
/// <param name="PadX">Input pixels of padding on the left.</param>
/// <param name="PadY">Input pixels of padding at the top.</param>
public sealed record ImageTransform(int ImageWidth, int ImageHeight, int InputWidth, int InputHeight, double ScaleX, double ScaleY, double PadX, double PadY)
{
    /// <summary>Maps an x normalized to the model input back to original-image pixels.</summary>
    public double ToImageX(double normalizedX) => ((normalizedX * InputWidth) - PadX) / ScaleX;

    /// <summary>Maps a y normalized to the model input back to original-image pixels.</summary>
    public double ToImageY(double normalizedY) => ((normalizedY * InputHeight) - PadY) / ScaleY;

    /// <summary>Maps a width normalized to the model input to original-image pixels.</summary>
    public double ToImageWidth(double normalizedWidth) => normalizedWidth * InputWidth / ScaleX;

    /// <summary>Maps a height normalized to the model input to original-image pixels.</summary>
    public double ToImageHeight(double normalizedHeight) => normalizedHeight * InputHeight / ScaleY;
}
