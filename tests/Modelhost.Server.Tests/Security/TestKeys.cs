using Modelhost.Server.Security;

namespace Modelhost.Server.Tests.Security;

/// <summary>One real key per role, made as <c>modelhost token create</c> makes them; the tests hold the clear keys.</summary>
public sealed class TestKeys
{
    public TestKeys()
    {
        foreach (var role in Roles.All)
        {
            var name = "key-" + Roles.Name(role);
            var (key, id, hash) = ApiKeySecrets.Create();
            Clear[role] = key;
            Stored.Add(new ApiKey(name, [role], id, hash, null));
        }
    }

    public Dictionary<Role, string> Clear { get; } = [];

    public List<ApiKey> Stored { get; } = [];

    public void Apply(ServerOptions options) => options.Security.Keys = Stored;
}
