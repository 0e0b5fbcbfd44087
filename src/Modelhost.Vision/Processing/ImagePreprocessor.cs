namespace Modelhost.Vision.Processing;

/// <summary>Turns a decoded image into a model input: resize or letterbox, channel order, layout, normalization.</summary>
public static class ImagePreprocessor
{
    /// <summary>
    /// Fits the image to the input size and returns the fitted image and where it landed, in the pixels of the
    /// full-size image (<see cref="RgbImage.SourceWidth"/>, <see cref="RgbImage.SourceHeight"/>).
    /// </summary>
    public static (RgbImage Image, ImageTransform Transform) Fit(RgbImage image, PreprocessOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Resize == ResizeMode.Stretch)
        {
            var stretched = ImageResizer.Resize(image, options.Width, options.Height, options.Antialias);
            var transform = new ImageTransform(image.SourceWidth, image.SourceHeight, options.Width, options.Height,
                (double)options.Width / image.SourceWidth, (double)options.Height / image.SourceHeight, 0, 0);
            return (stretched, transform);
        }

        var scale = Math.Min((double)options.Width / image.Width, (double)options.Height / image.Height);
        var width = Math.Clamp((int)Math.Round(image.Width * scale), 1, options.Width);
        var height = Math.Clamp((int)Math.Round(image.Height * scale), 1, options.Height);
        var resized = ImageResizer.Resize(image, width, height, options.Antialias);
        var padX = (options.Width - width) / 2;
        var padY = (options.Height - height) / 2;
        var canvas = new RgbImage(options.Width, options.Height);
        canvas.Pixels.AsSpan().Fill(options.PadValue);
        for (var y = 0; y < height; y++)
        {
            resized.Pixels.AsSpan(y * width * 3, width * 3).CopyTo(canvas.Pixels.AsSpan((((y + padY) * options.Width) + padX) * 3));
        }

        // The scale actually applied per axis, after rounding the resized size, from the full-size image (which
        // the decoder may have shrunk already: see ImageDecodeOptions.Target).
        var letterbox = new ImageTransform(image.SourceWidth, image.SourceHeight, options.Width, options.Height,
            (double)width / image.SourceWidth, (double)height / image.SourceHeight, padX, padY);
        return (canvas, letterbox);
    }

    /// <summary>Writes a fitted image as normalized floats into <paramref name="destination"/> (length W·H·3).</summary>
    public static void WriteFloats(RgbImage fitted, PreprocessOptions options, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        ArgumentNullException.ThrowIfNull(options);
        var pixels = fitted.Pixels;
        var plane = fitted.Width * fitted.Height;
        if (destination.Length != plane * 3)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, but the image needs {plane * 3}", nameof(destination));
        }

        Span<int> source = stackalloc int[3];
        if (options.Channels == ChannelOrder.Rgb)
        {
            source[0] = 0;
            source[1] = 1;
            source[2] = 2;
        }
        else
        {
            source[0] = 2;
            source[1] = 1;
            source[2] = 0;
        }

        Span<float> mul = stackalloc float[3];
        Span<float> add = stackalloc float[3];
        for (var c = 0; c < 3; c++)
        {
            // (v * scale - mean) / std, folded into one multiply-add per value.
            mul[c] = options.Scale / options.Std[c];
            add[c] = -options.Mean[c] / options.Std[c];
        }

        for (var i = 0; i < plane; i++)
        {
            var p = i * 3;
            for (var c = 0; c < 3; c++)
            {
                var value = (pixels[p + source[c]] * mul[c]) + add[c];
                destination[options.Layout == TensorLayout.Nhwc ? p + c : (c * plane) + i] = value;
            }
        }
    }

    /// <summary>Writes a fitted image as raw bytes into <paramref name="destination"/> (length W·H·3).</summary>
    public static void WriteBytes(RgbImage fitted, PreprocessOptions options, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        ArgumentNullException.ThrowIfNull(options);
        var pixels = fitted.Pixels;
        var plane = fitted.Width * fitted.Height;
        var bgr = options.Channels == ChannelOrder.Bgr;
        for (var i = 0; i < plane; i++)
        {
            var p = i * 3;
            for (var c = 0; c < 3; c++)
            {
                var value = pixels[p + (bgr ? 2 - c : c)];
                destination[options.Layout == TensorLayout.Nhwc ? p + c : (c * plane) + i] = value;
            }
        }
    }
}
