namespace Modelhost.Vision;

/// <summary>
/// Applies an EXIF orientation (TIFF tag 0x0112) to decoded pixels, so that row 0 becomes the visual top and
/// column 0 the visual left.
/// </summary>
internal static class ExifOrientation
{
    /// <summary>Whether the orientation exchanges width and height (values 5 to 8).</summary>
    public static bool SwapsDimensions(int orientation) => orientation is >= 5 and <= 8;

    public static DecodedImage Apply(DecodedImage image, int orientation, int channels)
    {
        if (orientation is < 2 or > 8)
        {
            return image;
        }

        int width = image.Width, height = image.Height;
        var swap = SwapsDimensions(orientation);
        int outWidth = swap ? height : width, outHeight = swap ? width : height;
        var target = new byte[image.Pixels.Length];
        ReadOnlySpan<byte> source = image.Pixels;
        Span<byte> output = target;

        // Walk the output and fetch each pixel from where the orientation says it was stored: (sx, sy) moves by
        // (stepX, stepY) in the source for every step right in the output, and starts each output row at rowStart.
        int originX, originY, stepXx, stepXy, stepYx, stepYy;
        switch (orientation)
        {
            case 2: // mirrored horizontally
                (originX, originY, stepXx, stepXy, stepYx, stepYy) = (width - 1, 0, -1, 0, 0, 1);
                break;
            case 3: // rotated 180°
                (originX, originY, stepXx, stepXy, stepYx, stepYy) = (width - 1, height - 1, -1, 0, 0, -1);
                break;
            case 4: // mirrored vertically
                (originX, originY, stepXx, stepXy, stepYx, stepYy) = (0, height - 1, 1, 0, 0, -1);
                break;
            case 5: // transposed
                (originX, originY, stepXx, stepXy, stepYx, stepYy) = (0, 0, 0, 1, 1, 0);
                break;
            case 6: // needs a 90° clockwise turn
                (originX, originY, stepXx, stepXy, stepYx, stepYy) = (0, height - 1, 0, -1, 1, 0);
                break;
            case 7: // transversed
                (originX, originY, stepXx, stepXy, stepYx, stepYy) = (width - 1, height - 1, 0, -1, -1, 0);
                break;
            default: // 8: needs a 90° counter-clockwise turn
                (originX, originY, stepXx, stepXy, stepYx, stepYy) = (width - 1, 0, 0, 1, -1, 0);
                break;
        }

        var sourceStepX = (stepXy * width + stepXx) * channels;
        var t = 0;
        for (var y = 0; y < outHeight; y++)
        {
            var s = ((originY + y * stepYy) * width + originX + y * stepYx) * channels;
            for (var x = 0; x < outWidth; x++, s += sourceStepX, t += channels)
            {
                // Phone photos (orientation 6) are the common case and large: byte moves beat a span copy here.
                output[t] = source[s];
                output[t + 1] = source[s + 1];
                output[t + 2] = source[s + 2];
                if (channels == 4)
                {
                    output[t + 3] = source[s + 3];
                }
            }
        }

        return new DecodedImage(outWidth, outHeight, target);
    }
}
