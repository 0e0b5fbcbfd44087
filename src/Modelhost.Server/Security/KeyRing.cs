using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Modelhost.Server.Security;

/// <summary>
/// The API keys in force, swapped whole when the config file changes, so a request sees either the old set or the new
/// one; each key's principal is made once, and finding a key allocates nothing. The secret last verified
/// for a key is remembered (the server receives it with every request anyway) and compared in constant time, which
/// spares a hash per request; a reload makes new entries, so a revoked key's secret is forgotten with it.
/// </summary>
internal sealed class KeyRing
{
    private readonly bool _tokens;
    private volatile Snapshot _current;

    public KeyRing(IReadOnlyList<ApiKey> keys, bool tokens = false)
    {
        _tokens = tokens;
        _current = new Snapshot(keys);
    }

    /// <summary>Whether callers must bring a key or a token; without either the server is anonymous (loopback only).</summary>
    public bool RequiresCredentials => _tokens || _current.Count > 0;

    /// <summary>Whether bearer tokens from an identity provider (JWT, <c>auth.jwt</c>) are accepted as well as keys.</summary>
    public bool AcceptsTokens => _tokens;

    public int Count => _current.Count;

    public void Replace(IReadOnlyList<ApiKey> keys) => _current = new Snapshot(keys);

    /// <summary>The principal of a key, or null for a key that is malformed, unknown, revoked or wrong.</summary>
    public CallerPrincipal? Authenticate(ReadOnlySpan<char> key)
    {
        if (!ApiKeySecrets.TryParse(key, out var id, out var secret))
        {
            return null;
        }

        var snapshot = _current;
        if (!snapshot.Lookup.TryGetValue(id, out var entry))
        {
            return null;
        }

        var verified = entry.VerifiedSecret;
        if (verified is not null && verified.Length == secret.Length
            && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(verified.AsSpan()), MemoryMarshal.AsBytes(secret)))
        {
            return entry.Principal;
        }

        if (!ApiKeySecrets.Verify(secret, entry.Salt, entry.Digest))
        {
            return null;
        }

        entry.VerifiedSecret = secret.ToString();
        return entry.Principal;
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

    private sealed class Entry(byte[] salt, byte[] digest, CallerPrincipal principal)
    {
        public byte[] Salt { get; } = salt;

        public byte[] Digest { get; } = digest;

        public CallerPrincipal Principal { get; } = principal;

        public volatile string? VerifiedSecret;
    }
}
