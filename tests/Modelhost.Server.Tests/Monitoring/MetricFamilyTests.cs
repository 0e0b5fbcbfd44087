using Modelhost.Server.Metrics;

namespace Modelhost.Server.Tests.Monitoring;

public sealed class MetricFamilyTests
{
    [Fact]
    public void A_key_matches_equal_tags_whose_values_are_boxed_anew_or_whose_strings_are_other_objects()
    {
        // Kestrel's kestrel.queued_requests boxes server.port anew for every measurement: a match by reference alone
        // fails on it, and every such measurement would hash all its tags.
        var key = new TagKey(KestrelTags(8081));

        Assert.True(key.Matches(KestrelTags(8081)));
        KeyValuePair<string, object?>[] copies = [.. KestrelTags(8081).Select(t => new KeyValuePair<string, object?>(new string(t.Key.AsSpan()), t.Value is string s ? new string(s.AsSpan()) : t.Value))];
        Assert.True(key.Matches(copies));
    }

    [Fact]
    public void A_key_does_not_match_tags_that_differ_in_one_value_one_key_or_their_count()
    {
        var key = new TagKey(KestrelTags(8081));
        KeyValuePair<string, object?>[] renamed = [.. KestrelTags(8081)];
        renamed[^1] = new("network.protocol.name2", "2");
        KeyValuePair<string, object?>[] nulled = [.. KestrelTags(8081)];
        nulled[0] = new("server.address", null);

        Assert.False(key.Matches(KestrelTags(8080)));
        Assert.False(key.Matches(renamed));
        Assert.False(key.Matches(nulled));
        Assert.False(key.Matches(KestrelTags(8081).AsSpan(0, 5)));
    }

    [Fact]
    public void Equal_tags_boxed_anew_for_every_measurement_find_one_series()
    {
        var family = new MetricFamily("kestrel_queued_requests", "gauge", null, null, observable: false);
        var first = family.Get(KestrelTags(8081));
        for (var i = 0; i < 20; i++)
        {
            Assert.Same(first, family.Get(KestrelTags(8081)));
        }

        Assert.Single(family.AllSeries);
    }

    [Fact]
    public void Tags_that_differ_in_one_value_or_key_or_count_get_series_of_their_own()
    {
        var family = new MetricFamily("kestrel_queued_requests", "gauge", null, null, observable: false);
        var port8081 = family.Get(KestrelTags(8081));
        var port8080 = family.Get(KestrelTags(8080));
        KeyValuePair<string, object?>[] renamed = [.. KestrelTags(8081)];
        renamed[^1] = new(new string("network.protocol.name2".AsSpan()), "2");
        var otherKey = family.Get(renamed);
        var fewer = family.Get(KestrelTags(8081).AsSpan(0, 5));

        Assert.NotSame(port8081, port8080);
        Assert.NotSame(port8081, otherKey);
        Assert.NotSame(port8081, fewer);
        Assert.Equal(4, family.AllSeries.Count);

        // Each is found again, whether from the recent lookups or from the dictionary.
        Assert.Same(port8080, family.Get(KestrelTags(8080)));
        Assert.Same(port8081, family.Get(KestrelTags(8081)));
        Assert.Same(fewer, family.Get(KestrelTags(8081).AsSpan(0, 5)));
        Assert.Equal(4, family.AllSeries.Count);
    }

    private static KeyValuePair<string, object?>[] KestrelTags(int port) =>
    [
        new("server.address", "127.0.0.1"), new("server.port", port), new("network.type", "ipv4"),
        new("network.transport", "tcp"), new("network.protocol.name", "http"), new("network.protocol.version", "2"),
    ];
}
