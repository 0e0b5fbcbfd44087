using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Modelhost.Server.Security;

/// <summary>
/// Makes, parses and checks API keys of the form <c>mh_ID_SECRET</c>: ID (16 hex digits) finds the key's entry, and the
/// secret (32 random bytes, base64url) is checked against its salted SHA-256 hash in constant time. A secret of 256 random
/// bits cannot be guessed, so a slow password hash would add latency to every request and no safety.
/// </summary>
internal static class ApiKeySecrets
{
    private const string Prefix = "mh_";
    private const int IdBytes = 8;
    private const int SecretBytes = 32;
    private const int SaltBytes = 16;
    private const string HashScheme = "sha256";

    /// <summary>The longest key text that is examined; longer header values are refused unread.</summary>
    public const int MaxKeyLength = 128;

    /// <summary>A new random key and the hash to store for it.</summary>
    public static (string Key, string Id, string Hash) Create()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var digest = Digest(salt, secret);
        return ($"{Prefix}{id}_{secret}", id, $"{HashScheme}:{Base64Url.EncodeToString(salt)}:{Base64Url.EncodeToString(digest)}");
    }

    /// <summary>Splits a key into its id and secret; false when it is not shaped like a Modelhost key.</summary>
    public static bool TryParse(ReadOnlySpan<char> key, out ReadOnlySpan<char> id, out ReadOnlySpan<char> secret)
    {
        id = default;
        secret = default;
        if (key.Length > MaxKeyLength || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key[Prefix.Length..];
        var cut = rest.IndexOf('_');
        if (cut != IdBytes * 2 || rest.Length == cut + 1)
        {
            return false;
        }

        id = rest[..cut];
        secret = rest[(cut + 1)..];
        return true;
    }

    /// <summary>Whether a stored hash has the form <c>sha256:SALT:DIGEST</c>.</summary>
    public static bool IsValidHash(string hash) => TryDecodeHash(hash, out _, out _);

    /// <summary>Whether an id has the form this class makes (16 lower-case hex digits).</summary>
    public static bool IsValidId(string id)
    {
        if (id.Length != IdBytes * 2)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks a secret against a decoded hash in time that does not depend on where they differ.</summary>
    public static bool Verify(ReadOnlySpan<char> secret, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> expected)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Digest(salt, secret, digest);
        return CryptographicOperations.FixedTimeEquals(digest, expected);
    }

    private static byte[] Digest(ReadOnlySpan<byte> salt, ReadOnlySpan<char> secret)
    {
        var digest = new byte[SHA256.HashSizeInBytes];
        Digest(salt, secret, digest);
        return digest;
    }

    private static void Digest(ReadOnlySpan<byte> salt, ReadOnlySpan<char> secret, Span<byte> digest)
    {
        Span<byte> input = stackalloc byte[SaltBytes + (MaxKeyLength * 3)];
        salt.CopyTo(input);
        var length = salt.Length + Encoding.UTF8.GetBytes(secret, input[salt.Length..]);
        SHA256.HashData(input[..length], digest);
        CryptographicOperations.ZeroMemory(input[..length]);
    }

    /// <summary>Splits a stored hash into its salt and digest.</summary>
    public static bool TryDecodeHash(string hash, out byte[] salt, out byte[] digest)
    {
        salt = [];
        digest = [];
        var parts = hash.Split(':');
        if (parts.Length != 3 || parts[0] != HashScheme)
        {
            return false;
        }

        try
        {
            salt = Base64Url.DecodeFromChars(parts[1]);
            digest = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length == SaltBytes && digest.Length == SHA256.HashSizeInBytes;
    }
}
