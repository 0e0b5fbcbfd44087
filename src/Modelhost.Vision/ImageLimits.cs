namespace Modelhost.Vision;

/// <summary>The checks of <see cref="ImageDecodeOptions"/>, run on headers before anything large is allocated.</summary>
internal static class ImageLimits
{
    public static void CheckInput(int length, ImageDecodeOptions options)
    {
        if (length > options.MaxInputBytes)
        {
            throw new ImageDecodeException(
                ImageErrorKind.TooLarge,
                $"image data is {length} bytes, more than the limit of {options.MaxInputBytes}");
        }
    }

    public static void CheckDimensions(long width, long height, ImageDecodeOptions options)
    {
        var pixels = width * height;
        if (pixels > options.MaxPixels)
        {
            throw new ImageDecodeException(
                ImageErrorKind.TooLarge,
                $"image is {width}x{height} = {pixels} pixels, more than the limit of {options.MaxPixels}");
        }

        // Whatever the options allow, the decoder holds the image as RGBA in one array.
        if (pixels > Array.MaxLength / 4)
        {
            throw new ImageDecodeException(
                ImageErrorKind.TooLarge, $"image is {width}x{height} = {pixels} pixels, too many to decode in memory");
        }

        if (width > options.MaxWidth)
        {
            throw new ImageDecodeException(
                ImageErrorKind.TooLarge, $"image width {width} is more than the limit of {options.MaxWidth}");
        }

        if (height > options.MaxHeight)
        {
            throw new ImageDecodeException(
                ImageErrorKind.TooLarge, $"image height {height} is more than the limit of {options.MaxHeight}");
        }
    }
}
