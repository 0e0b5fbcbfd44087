namespace Modelhost.Vision.Detection;

/// <summary>Generates SSD anchors in the order the model's outputs list them.</summary>
public static class SsdAnchors
{
    /// <summary>Anchors for every layer group, row by row, cell by cell, anchor by anchor.</summary>
    public static Anchor[] Generate(AnchorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var anchors = new List<Anchor>();
        var layer = 0;
        var layers = options.Strides.Length;
        while (layer < layers)
        {
            // Consecutive layers with the same stride share one grid, each adding its anchors to every cell.
            var stride = options.Strides[layer];
            var scales = new List<float>();
            var last = layer;
            while (last < layers && options.Strides[last] == stride)
            {
                var scale = Scale(options, last, layers);
                var next = last + 1 < layers ? Scale(options, last + 1, layers) : 1f;
                for (var a = 0; a < options.AnchorsPerLayer; a++)
                {
                    // MediaPipe: aspect ratio 1 at the layer's scale, then the geometric mean with the next scale.
                    scales.Add(a == 0 ? scale : MathF.Sqrt(scale * next));
                }

                last++;
            }

            var columns = (int)Math.Ceiling((double)options.InputWidth / stride);
            var rows = (int)Math.Ceiling((double)options.InputHeight / stride);
            for (var y = 0; y < rows; y++)
            {
                for (var x = 0; x < columns; x++)
                {
                    var cx = (x + options.OffsetX) / columns;
                    var cy = (y + options.OffsetY) / rows;
                    foreach (var scale in scales)
                    {
                        anchors.Add(options.FixedSize ? new Anchor(cx, cy, 1f, 1f) : new Anchor(cx, cy, scale, scale));
                    }
                }
            }

            layer = last;
        }

        return anchors.ToArray();
    }

    private static float Scale(AnchorOptions options, int layer, int layers) =>
        layers == 1 ? (options.MinScale + options.MaxScale) / 2 : options.MinScale + ((options.MaxScale - options.MinScale) * layer / (layers - 1f));
}
