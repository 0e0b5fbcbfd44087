namespace Modelhost.Vision.Detection;

/// <summary>Decodes raw per-anchor scores and box regressions into scored boxes above a threshold.</summary>
public static class SsdDecoder
{
    /// <summary>
    /// Decodes every anchor whose score reaches <paramref name="scoreThreshold"/>. <paramref name="scores"/>
    /// holds one logit per anchor; <paramref name="boxes"/> holds <see cref="SsdDecodeOptions.ValuesPerAnchor"/>
    /// values per anchor: centre x, centre y, width, height, then keypoint x, y pairs.
    /// </summary>
    public static List<ScoredBox> Decode(ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes, ReadOnlySpan<Anchor> anchors, SsdDecodeOptions options, float scoreThreshold)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (scores.Length != anchors.Length || boxes.Length != anchors.Length * options.ValuesPerAnchor)
        {
            throw new ArgumentException(
                $"the model gave {scores.Length} scores and {boxes.Length} box values for {anchors.Length} anchors of {options.ValuesPerAnchor} values each");
        }

        var detections = new List<ScoredBox>();
        for (var i = 0; i < anchors.Length; i++)
        {
            var score = scores[i];
            if (options.Sigmoid)
            {
                var clipped = Math.Clamp(score, -options.ScoreClipping, options.ScoreClipping);
                score = 1f / (1f + MathF.Exp(-clipped));
            }

            if (score < scoreThreshold)
            {
                continue;
            }

            var anchor = anchors[i];
            var raw = boxes.Slice(i * options.ValuesPerAnchor, options.ValuesPerAnchor);
            var cx = (raw[0] / options.XScale * anchor.Width) + anchor.X;
            var cy = (raw[1] / options.YScale * anchor.Height) + anchor.Y;
            var w = raw[2] / options.WScale * anchor.Width;
            var h = raw[3] / options.HScale * anchor.Height;
            var keypoints = new float[options.Keypoints * 2];
            for (var k = 0; k < options.Keypoints; k++)
            {
                keypoints[2 * k] = (raw[4 + (2 * k)] / options.XScale * anchor.Width) + anchor.X;
                keypoints[(2 * k) + 1] = (raw[5 + (2 * k)] / options.YScale * anchor.Height) + anchor.Y;
            }

            detections.Add(new ScoredBox(0, score, cx - (w / 2), cy - (h / 2), w, h, keypoints));
        }

        return detections;
    }
}
