namespace Modelhost.Vision.Detection;

/// <summary>Non-maximum suppression, hard or weighted, per class.</summary>
public static class NonMaxSuppression
{
    /// <summary>Returns at most <paramref name="maxResults"/> detections, best first.</summary>
    public static List<ScoredBox> Apply(List<ScoredBox> detections, float iouThreshold, NmsMode mode, int maxResults)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var remaining = new List<ScoredBox>(detections);
        remaining.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        var kept = new List<ScoredBox>();
        while (remaining.Count > 0 && kept.Count < maxResults)
        {
            var best = remaining[0];
            var cluster = new List<ScoredBox>();
            var rest = new List<ScoredBox>(remaining.Count);
            foreach (var candidate in remaining)
            {
                if (candidate.ClassId == best.ClassId && best.IntersectionOverUnion(candidate) > iouThreshold)
                {
                    cluster.Add(candidate);
                }
                else if (!ReferenceEquals(candidate, best))
                {
                    rest.Add(candidate);
                }
            }

            kept.Add(mode == NmsMode.Weighted ? WeightedAverage(best, cluster) : best);
            remaining = rest;
        }

        return kept;
    }

    private static ScoredBox WeightedAverage(ScoredBox best, List<ScoredBox> cluster)
    {
        if (cluster.Count <= 1)
        {
            return best;
        }

        float total = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        var keypoints = new float[best.Keypoints.Length];
        foreach (var d in cluster)
        {
            total += d.Score;
            x0 += d.XMin * d.Score;
            y0 += d.YMin * d.Score;
            x1 += (d.XMin + d.Width) * d.Score;
            y1 += (d.YMin + d.Height) * d.Score;
            for (var k = 0; k < keypoints.Length; k++)
            {
                keypoints[k] += d.Keypoints[k] * d.Score;
            }
        }

        for (var k = 0; k < keypoints.Length; k++)
        {
            keypoints[k] /= total;
        }

        x0 /= total;
        y0 /= total;
        x1 /= total;
        y1 /= total;
        return new ScoredBox(best.ClassId, best.Score, x0, y0, x1 - x0, y1 - y0, keypoints);
    }
}
