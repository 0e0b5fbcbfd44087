namespace Modelhost.Server.Security;

/// <summary>
/// One API key as the config file stores it: its name, its roles, and a salted hash of its secret; the key itself is
/// shown once, when <c>modelhost token create</c> makes it, and never stored.
/// </summary>
/// <param name="Name">The key's name: it appears in logs, the audit log and errors, where the key never does.</param>
/// <param name="Roles">The roles given to the key; each includes those below it.</param>
/// <param name="Id">The public part of the key, used to find its entry (hex).</param>
/// <param name="Hash">The salted hash of the key's secret part: <c>sha256:SALT:DIGEST</c>, both base64url.</param>
/// <param name="Created">When the key was made, if known.</param>
public sealed record ApiKey(string Name, IReadOnlyList<Role> Roles, string Id, string Hash, DateTimeOffset? Created)
{
    /// <summary>Makes a new key: the entry to store (its id and the salted hash of its secret) and the key itself.</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="roles">The roles it is given.</param>
    /// <param name="created">When it was made.</param>
    /// <returns>The entry, and the key to show once to whoever asked for it; the key is not stored anywhere.</returns>
    public static (ApiKey Entry, string Key) Create(string name, IReadOnlyList<Role> roles, DateTimeOffset created)
    {
        var (key, id, hash) = ApiKeySecrets.Create();
        return (new ApiKey(name, roles, id, hash, created), key);
    }

    /// <summary>The highest of <see cref="Roles"/>.</summary>
    public Role Level
    {
        get
        {
            var level = (Role)0;
            foreach (var role in Roles)
            {
                level = role > level ? role : level;
            }

            return level;
        }
    }
}
