using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Modelhost.Server.Security;

/// <summary>An API key and its stored entry, in the format <c>modelhost token create</c> writes (mh_ID_SECRET, sha256:SALT:DIGEST).</summary>
internal static class BenchKey
{
    public static (string Key, ApiKey Stored) Create(string name)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var salt = RandomNumberGenerator.GetBytes(16);
        var digest = SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(secret)]);
        var hash = $"sha256:{Base64Url.EncodeToString(salt)}:{Base64Url.EncodeToString(digest)}";
        return ($"mh_{id}_{secret}", new ApiKey(name, [Role.Infer], id, hash, null));
    }
}
