namespace Modelhost.Vision.Processing;

/// <summary>Draws box outlines and points onto an image, for showing detections to a person.</summary>
public static class ImageDrawing
{
    /// <summary>Draws a rectangle outline; parts outside the image are clipped.</summary>
    public static void DrawRectangle(RgbImage image, double x, double y, double width, double height, (byte R, byte G, byte B) color, int thickness = 2)
    {
        ArgumentNullException.ThrowIfNull(image);
        var x0 = (int)Math.Round(x);
        var y0 = (int)Math.Round(y);
        var x1 = (int)Math.Round(x + width) - 1;
        var y1 = (int)Math.Round(y + height) - 1;
        for (var t = 0; t < thickness; t++)
        {
            FillRect(image, x0, y0 + t, x1, y0 + t, color);
            FillRect(image, x0, y1 - t, x1, y1 - t, color);
            FillRect(image, x0 + t, y0, x0 + t, y1, color);
            FillRect(image, x1 - t, y0, x1 - t, y1, color);
        }
    }

    /// <summary>Draws a filled square of side 2·radius+1 centred on a point.</summary>
    public static void DrawPoint(RgbImage image, double x, double y, (byte R, byte G, byte B) color, int radius = 2)
    {
        ArgumentNullException.ThrowIfNull(image);
        var cx = (int)Math.Round(x);
        var cy = (int)Math.Round(y);
        FillRect(image, cx - radius, cy - radius, cx + radius, cy + radius, color);
    }

    private static void FillRect(RgbImage image, int x0, int y0, int x1, int y1, (byte R, byte G, byte B) color)
    {
        x0 = Math.Max(x0, 0);
        y0 = Math.Max(y0, 0);
        x1 = Math.Min(x1, image.Width - 1);
        y1 = Math.Min(y1, image.Height - 1);
        var pixels = image.Pixels;
        for (var yy = y0; yy <= y1; yy++)
        {
            for (var xx = x0; xx <= x1; xx++)
            {
                var p = ((yy * image.Width) + xx) * 3;
                pixels[p] = color.R;
                pixels[p + 1] = color.G;
                pixels[p + 2] = color.B;
            }
        }
    }
}
