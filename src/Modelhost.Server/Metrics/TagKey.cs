using System.Runtime.CompilerServices;

namespace Modelhost.Server.Metrics;

/// <summary>
/// A measurement's tags, copied by value into inline storage so that looking a series up allocates nothing. Tags
/// beyond <see cref="MaxTags"/> are dropped (no instrument we export has more).
/// </summary>
internal readonly struct TagKey : IEquatable<TagKey>
{
    public const int MaxTags = 8;

    private readonly Tags _tags;
    private readonly int _hash;

    public TagKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Count = Math.Min(tags.Length, MaxTags);
        var hash = new HashCode();
        for (var i = 0; i < Count; i++)
        {
            _tags[i] = tags[i];
            hash.Add(tags[i].Key);
            hash.Add(tags[i].Value);
        }

        _hash = hash.ToHashCode();
    }

    public int Count { get; }

    public KeyValuePair<string, object?> this[int index] => _tags[index];

    public bool Equals(TagKey other)
    {
        if (Count != other.Count || _hash != other._hash)
        {
            return false;
        }

        for (var i = 0; i < Count; i++)
        {
            if (!string.Equals(_tags[i].Key, other._tags[i].Key, StringComparison.Ordinal) || !Equals(_tags[i].Value, other._tags[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether <paramref name="tags"/> equal this key's tags, in order, compared as <see cref="Equals(TagKey)"/> does
    /// but without hashing: by reference first, which settles the usual case, then by value.
    /// </summary>
    /// <remarks>
    /// The value comparison matters because some instruments box a value type anew for every measurement (Kestrel's
    /// <c>kestrel.queued_requests</c> its <c>server.port</c>, twice per request); hashing all their tags instead cost
    /// about 200 ns per measurement (<c>bench/Alloc -- models record</c>).
    /// </remarks>
    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != Count)
        {
            return false;
        }

        for (var i = 0; i < tags.Length; i++)
        {
            if (!ReferenceEquals(_tags[i].Key, tags[i].Key) || !ReferenceEquals(_tags[i].Value, tags[i].Value))
            {
                return MatchesByValue(tags, i);
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool MatchesByValue(ReadOnlySpan<KeyValuePair<string, object?>> tags, int from)
    {
        for (var i = from; i < tags.Length; i++)
        {
            if (!string.Equals(_tags[i].Key, tags[i].Key, StringComparison.Ordinal) || !Equals(_tags[i].Value, tags[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is TagKey other && Equals(other);

    public override int GetHashCode() => _hash;

    [InlineArray(MaxTags)]
    private struct Tags
    {
        private KeyValuePair<string, object?> _first;
    }
}
