namespace Modelhost.Vision;

/// <summary>Size arithmetic shared by the image types.</summary>
internal static class PixelBuffer
{
    public static int Length(int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var length = (long)width * height * channels;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"A {width}x{height} image does not fit in one array.");
        }

        return (int)length;
    }

    public static void CheckLength(int width, int height, int channels, int actual)
    {
        var expected = Length(width, height, channels);
        if (actual != expected)
        {
            throw new ArgumentException(
                $"A {width}x{height} image with {channels} channels needs {expected} bytes, not {actual}.", "pixels");
        }
    }
}
