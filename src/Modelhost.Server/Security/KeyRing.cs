using System.Security.Claims;

namespace Modelhost.Server.Security;

/// <summary>
/// The API keys in force, swapped whole when the config file changes, so a request sees either the old set or the new
/// one; each key's principal is made once, and finding a key allocates nothing.
/// </summary>
internal sealed class KeyRing
{
    private volatile Snapshot _current;

    public KeyRing(IReadOnlyList<ApiKey> keys)
    {
        _current = new Snapshot(keys);
    }

    /// <summary>Whether any key exists; without one the server is anonymous (loopback only).</summary>
    public bool HasKeys => _current.Count > 0;

    public int Count => _current.Count;

    public void Replace(IReadOnlyList<ApiKey> keys) => _current = new Snapshot(keys);

    /// <summary>The principal of a key, or null for a key that is malformed, unknown, revoked or wrong.</summary>
    public ClaimsPrincipal? Authenticate(ReadOnlySpan<char> key)
    {
        if (!ApiKeySecrets.TryParse(key, out var id, out var secret))
        {
            return null;
        }

        var snapshot = _current;
        return snapshot.Lookup.TryGetValue(id, out var entry) && ApiKeySecrets.Verify(secret, entry.Salt, entry.Digest)
            ? entry.Principal
            : null;
    }

    private sealed class Snapshot
    {
        public Snapshot(IReadOnlyList<ApiKey> keys)
        {
            var byId = new Dictionary<string, Entry>(keys.Count, StringComparer.Ordinal);
            foreach (var key in keys)
            {
                if (ApiKeySecrets.TryDecodeHash(key.Hash, out var salt, out var digest))
                {
                    byId[key.Id] = new Entry(salt, digest, CallerIdentity.ForKey(key));
                }
            }

            Count = byId.Count;
            Lookup = byId.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public int Count { get; }

        public Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }
    }

    private sealed record Entry(byte[] Salt, byte[] Digest, ClaimsPrincipal Principal);
}
