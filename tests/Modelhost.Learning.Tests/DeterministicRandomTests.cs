namespace Modelhost.Learning.Tests;

public sealed class DeterministicRandomTests
{
    [Fact]
    public void A_seed_gives_the_same_stream_every_time_and_streams_of_one_seed_differ()
    {
        ulong[] first = Draw(DeterministicRandom.ForStream(42, 0));

        Assert.Equal(first, Draw(DeterministicRandom.ForStream(42, 0)));
        Assert.NotEqual(first, Draw(DeterministicRandom.ForStream(42, 1)));
        Assert.NotEqual(first, Draw(DeterministicRandom.ForStream(43, 0)));
    }

    [Fact]
    public void Bounded_integers_stay_in_range_and_are_roughly_uniform()
    {
        var random = DeterministicRandom.FromSeed(7);
        var counts = new int[6];
        for (int i = 0; i < 60_000; i++)
        {
            counts[random.NextInt(6)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Equal(0, random.NextInt(1));
    }

    private static ulong[] Draw(DeterministicRandom random) => Enumerable.Range(0, 8).Select(_ => random.NextUInt64()).ToArray();
}
