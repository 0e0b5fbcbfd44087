using System.Globalization;

namespace Modelhost.Server.Tests.Monitoring;

/// <summary>A Prometheus text exposition, parsed into its samples and its <c># TYPE</c> lines.</summary>
public sealed class Exposition
{
    private Exposition(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Types[parts[2]] = parts[3];
            }
            else if (!line.StartsWith('#'))
            {
                var space = line.LastIndexOf(' ');
                Samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }
        }
    }

    public string Text { get; }

    /// <summary>Samples by their name and labels as written, e.g. <c>nv_inference_count{model="m",version="1"}</c>.</summary>
    public Dictionary<string, double> Samples { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    public static Exposition Parse(string text) => new(text);

    /// <summary>The sample's value, or 0 when the series does not exist yet.</summary>
    public double Value(string sample) => Samples.GetValueOrDefault(sample);
}
