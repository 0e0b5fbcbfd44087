using Modelhost.Vision.Detection;
using Modelhost.Vision.Processing;

namespace Modelhost.Vision.Tests.Detection;

public sealed class SsdDetectionTests
{
    [Fact]
    public void Anchors_for_blazeface_front_are_896_in_two_grids()
    {
        var anchors = SsdAnchors.Generate(new AnchorOptions { InputWidth = 128, InputHeight = 128, Strides = [8, 16, 16, 16] });
        Assert.Equal(512 + 384, anchors.Length);
        // 16x16 cells with 2 anchors each first, then 8x8 cells with 6 (three stride-16 layers of 2).
        Assert.Equal(new Anchor(0.5f / 16, 0.5f / 16, 1, 1), anchors[0]);
        Assert.Equal(anchors[0], anchors[1]);
        Assert.Equal(new Anchor(1.5f / 16, 0.5f / 16, 1, 1), anchors[2]);
        Assert.Equal(new Anchor(0.5f / 8, 0.5f / 8, 1, 1), anchors[512]);
        Assert.Equal(anchors[512], anchors[517]);
        Assert.Equal(new Anchor(1.5f / 8, 0.5f / 8, 1, 1), anchors[518]);
        Assert.Equal(new Anchor(7.5f / 8, 7.5f / 8, 1, 1), anchors[^1]);
    }

    [Fact]
    public void Decode_applies_the_sigmoid_and_offsets_boxes_from_their_anchor()
    {
        Anchor[] anchors = [new(0.5f, 0.5f, 1, 1), new(0.25f, 0.25f, 1, 1)];
        float[] scores = [0f, -5f];
        float[] boxes = [12.8f, -12.8f, 25.6f, 51.2f, 0, 0, 0, 0, 0, 0, 0, 0];
        var options = new SsdDecodeOptions { ValuesPerAnchor = 6, Keypoints = 1, XScale = 128, YScale = 128, WScale = 128, HScale = 128 };
        var detections = SsdDecoder.Decode(scores, boxes, anchors, options, scoreThreshold: 0.4f);
        var d = Assert.Single(detections);
        Assert.Equal(0.5f, d.Score, 5);
        Assert.Equal(0.6f - 0.1f, d.XMin, 5);
        Assert.Equal(0.4f - 0.2f, d.YMin, 5);
        Assert.Equal(0.2f, d.Width, 5);
        Assert.Equal(0.4f, d.Height, 5);
        Assert.Equal([0.5f, 0.5f], d.Keypoints);
    }

    [Fact]
    public void Decode_clips_scores_before_the_sigmoid()
    {
        var d = Assert.Single(SsdDecoder.Decode([1e9f], [0, 0, 1, 1], [new Anchor(0.5f, 0.5f, 1, 1)], new SsdDecodeOptions { ValuesPerAnchor = 4, Keypoints = 0 }, 0.5f));
        Assert.True(float.IsFinite(d.Score) && d.Score > 0.99f);
    }

    [Fact]
    public void Hard_nms_keeps_the_best_of_each_cluster()
    {
        var a = new ScoredBox(0, 0.9f, 0, 0, 10, 10, []);
        var b = new ScoredBox(0, 0.8f, 1, 1, 10, 10, []);
        var c = new ScoredBox(0, 0.7f, 50, 50, 10, 10, []);
        var kept = NonMaxSuppression.Apply([b, c, a], 0.4f, NmsMode.Hard, 10);
        Assert.Equal([a, c], kept);
    }

    [Fact]
    public void Weighted_nms_averages_a_cluster_by_score_and_keeps_the_top_score()
    {
        var a = new ScoredBox(0, 0.75f, 0, 0, 10, 10, [0, 0]);
        var b = new ScoredBox(0, 0.25f, 2, 2, 10, 10, [4, 4]);
        var merged = Assert.Single(NonMaxSuppression.Apply([a, b], 0.4f, NmsMode.Weighted, 10));
        Assert.Equal(0.75f, merged.Score);
        Assert.Equal(0.5f, merged.XMin, 5);
        Assert.Equal(10f, merged.Width, 5);
        Assert.Equal([1f, 1f], merged.Keypoints);
    }

    [Fact]
    public void Nms_stops_at_max_results()
    {
        var boxes = Enumerable.Range(0, 5).Select(i => new ScoredBox(0, 0.5f + (i / 10f), i * 20, 0, 10, 10, [])).ToList();
        Assert.Equal(2, NonMaxSuppression.Apply(boxes, 0.4f, NmsMode.Hard, 2).Count);
    }

    [Fact]
    public void Letterbox_centres_the_image_and_maps_coordinates_back()
    {
        var image = new RgbImage(200, 100);
        image.Pixels.AsSpan().Fill(255);
        var options = new PreprocessOptions { Width = 100, Height = 100, PadValue = 0 };
        var (fitted, transform) = ImagePreprocessor.Fit(image, options);
        Assert.Equal(0.5, transform.ScaleX, 6);
        Assert.Equal(25, transform.PadY);
        Assert.Equal(0, fitted.Pixels[((10 * 100) + 50) * 3]);
        Assert.Equal(255, fitted.Pixels[((50 * 100) + 50) * 3]);
        Assert.Equal(0, transform.ToImageY(0.25), 6);
        Assert.Equal(100, transform.ToImageY(0.75), 6);
        Assert.Equal(200, transform.ToImageX(1.0), 6);
    }

    [Fact]
    public void Normalization_orders_channels_and_lays_out_planes()
    {
        var image = new RgbImage(1, 2, [10, 20, 30, 40, 50, 60]);
        var nchwBgr = new PreprocessOptions { Width = 1, Height = 2, Channels = ChannelOrder.Bgr, Layout = TensorLayout.Nchw, Mean = [0, 0, 0], Std = [10, 10, 10] };
        var data = new float[6];
        ImagePreprocessor.WriteFloats(image, nchwBgr, data);
        Assert.Equal([3f, 6f, 2f, 5f, 1f, 4f], data);

        var minusOneToOne = new PreprocessOptions { Width = 1, Height = 2, Mean = [127.5f, 127.5f, 127.5f], Std = [127.5f, 127.5f, 127.5f] };
        ImagePreprocessor.WriteFloats(new RgbImage(1, 2, [0, 255, 0, 255, 0, 255]), minusOneToOne, data);
        Assert.Equal([-1f, 1f, -1f, 1f, -1f, 1f], data);
    }

    [Fact]
    public void Antialiased_shrinking_averages_every_source_pixel()
    {
        // One white column in every 8: shrinking 8x with plain bilinear sampling blends only the two source
        // pixels nearest each output pixel (one of them white), while the antialiased filter spreads the
        // white column over all 8.
        var lines = new RgbImage(64, 4);
        for (var y = 0; y < 4; y++)
        {
            for (var x = 3; x < 64; x += 8)
            {
                lines.Pixels.AsSpan(((y * 64) + x) * 3, 3).Fill(255);
            }
        }

        var smooth = ImageResizer.Resize(lines, 8, 4, antialias: true);
        Assert.All(smooth.Pixels, v => Assert.InRange(v, 20, 60));
        var sharp = ImageResizer.Resize(lines, 8, 4, antialias: false);
        Assert.All(sharp.Pixels, v => Assert.InRange(v, 120, 135));
    }

    [Fact]
    public void Resizing_to_the_same_size_keeps_the_pixels()
    {
        var image = new RgbImage(3, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
        Assert.Equal(image.Pixels, ImageResizer.Resize(image, 3, 2).Pixels);
    }
}
