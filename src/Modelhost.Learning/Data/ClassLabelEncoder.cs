using System.Globalization;

namespace Modelhost.Learning.Data;

/// <summary>
/// Orders class labels as scikit-learn's LabelEncoder does: when every label is a number they sort numerically
/// (and "1" and "1.0" are one class, written "1"); otherwise they sort by ordinal string comparison.
/// </summary>
internal static class ClassLabelEncoder
{
    /// <summary>Sorts labels collected in first-seen order.</summary>
    /// <param name="firstSeen">The distinct label texts, indexed by their provisional id.</param>
    /// <param name="labels">The sorted class labels.</param>
    /// <returns>For each provisional id, its class id in <paramref name="labels"/>.</returns>
    public static int[] Encode(IReadOnlyList<string> firstSeen, out string[] labels)
    {
        var values = new double[firstSeen.Count];
        bool numeric = true;
        for (int i = 0; i < firstSeen.Count && numeric; i++)
        {
            numeric = double.TryParse(firstSeen[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && double.IsFinite(values[i]);
        }

        var remap = new int[firstSeen.Count];
        if (numeric)
        {
            double[] distinct = values.Distinct().Order().ToArray();
            labels = distinct.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                remap[i] = Array.BinarySearch(distinct, values[i]);
            }

            return remap;
        }

        labels = firstSeen.Order(StringComparer.Ordinal).ToArray();
        for (int i = 0; i < firstSeen.Count; i++)
        {
            remap[i] = Array.BinarySearch(labels, firstSeen[i], StringComparer.Ordinal);
        }

        return remap;
    }
}
