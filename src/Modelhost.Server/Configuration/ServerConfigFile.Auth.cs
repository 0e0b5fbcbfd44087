using System.Globalization;
using Modelhost.Server.Security;

namespace Modelhost.Server.Configuration;

/// <summary>The <c>auth:</c> section: keys (as salted hashes), anonymous access, allowed Host names, CORS origins.</summary>
public static partial class ServerConfigFile
{
    private static readonly string[] AuthKeys = ["keys", "allow_anonymous", "allowed_hosts", "cors_origins", "jwt"];
    private static readonly string[] JwtKeys = ["issuer", "audience", "signing_keys", "roles_claim", "name_claim"];
    private static readonly string[] KeyKeys = ["name", "roles", "id", "hash", "created"];

    /// <summary>Characters allowed in a key's name (it appears in logs and the audit log).</summary>
    public static bool IsValidKeyName(string name)
    {
        if (name.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static void ReadAuth(ConfigNode node, SecurityOptions security)
    {
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "keys":
                    security.Keys = ReadKeys(value);
                    break;
                case "allow_anonymous":
                    security.AllowAnonymous = Bool(value);
                    break;
                case "allowed_hosts":
                    security.AllowedHosts = Strings(value);
                    break;
                case "cors_origins":
                    var origins = Strings(value);
                    foreach (var origin in origins)
                    {
                        if (origin != "*" && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"))
                        {
                            throw value.Top.Error($"'{origin}' is not an origin such as https://app.example.com");
                        }
                    }

                    security.CorsOrigins = origins;
                    break;
                case "jwt":
                    security.Jwt = ReadJwt(value);
                    break;
                default:
                    throw Unknown(value, AuthKeys);
            }
        }
    }

    private static JwtOptions ReadJwt(ConfigNode node)
    {
        var jwt = new JwtOptions();
        foreach (var value in Mapping(node))
        {
            switch (value.Key)
            {
                case "issuer":
                    jwt.Issuer = String(value);
                    break;
                case "audience":
                    jwt.Audience = String(value);
                    break;
                case "signing_keys":
                    jwt.SigningKeyFiles = Strings(value);
                    break;
                case "roles_claim":
                    jwt.RolesClaim = String(value);
                    break;
                case "name_claim":
                    jwt.NameClaim = String(value);
                    break;
                default:
                    throw Unknown(value, JwtKeys);
            }
        }

        if (jwt.Issuer.Length == 0 || jwt.Audience.Length == 0 || jwt.SigningKeyFiles.Count == 0)
        {
            throw node.Error("issuer, audience and signing_keys are all required");
        }

        return jwt;
    }

    /// <summary>The keys of every layer together: keys in the environment add to those in the file.</summary>
    private static List<ApiKey> ReadKeys(ConfigNode node)
    {
        var keys = new List<ApiKey>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in node.EveryLayer)
        {
            if (!layer.HasChildren && layer.Value is not (null or ""))
            {
                throw layer.Error("expected a list of keys");
            }

            foreach (var item in layer.Children)
            {
                var key = ReadKey(item);
                if (!names.Add(key.Name) || !ids.Add(key.Id))
                {
                    throw item.Fail($"{layer.Name}: two keys share the name '{key.Name}' or the id '{key.Id}'");
                }

                keys.Add(key);
            }
        }

        return keys;
    }

    private static ApiKey ReadKey(ConfigNode item)
    {
        string? name = null, id = null, hash = null;
        DateTimeOffset? created = null;
        List<Role>? roles = null;
        foreach (var value in Mapping(item))
        {
            switch (value.Key)
            {
                case "name":
                    name = String(value);
                    if (!IsValidKeyName(name))
                    {
                        throw value.Error($"'{name}' is not a valid key name: use 1 to 64 letters, digits, '_', '-' or '.'");
                    }

                    break;
                case "roles":
                    roles = [];
                    foreach (var text in Strings(value))
                    {
                        roles.Add(Roles.TryParse(text, out var role)
                            ? role
                            : throw value.Error($"unknown role '{text}'; roles are infer, train, manage, admin"));
                    }

                    break;
                case "id":
                    id = String(value);
                    if (!ApiKeySecrets.IsValidId(id))
                    {
                        throw value.Error("expected 16 lower-case hex digits as 'modelhost token create' writes");
                    }

                    break;
                case "hash":
                    hash = String(value);
                    if (!ApiKeySecrets.IsValidHash(hash))
                    {
                        throw value.Error("expected sha256:SALT:DIGEST as 'modelhost token create' writes");
                    }

                    break;
                case "created":
                    created = DateTimeOffset.TryParse(String(value), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                        ? at
                        : throw value.Error("expected an ISO 8601 time");
                    break;
                default:
                    throw Unknown(value, KeyKeys);
            }
        }

        return name is null || id is null || hash is null || roles is not { Count: > 0 }
            ? throw item.Error("every key needs name, roles, id and hash; make keys with 'modelhost token create'")
            : new ApiKey(name, roles, id, hash, created);
    }

    private static bool Bool(ConfigNode node) => String(node).ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw node.Error($"expected true or false, got '{node.Value}'"),
    };

    /// <summary>A list of strings (one string is a list of one), taken whole from the highest layer that sets it.</summary>
    private static List<string> Strings(ConfigNode node)
    {
        var top = node.Top;
        if (!top.HasChildren)
        {
            return top.Value is null ? [] : [String(top)];
        }

        var list = new List<string>();
        foreach (var item in top.Children)
        {
            list.Add(item.HasChildren || !item.Key.All(char.IsAsciiDigit) ? throw top.Error("expected a list of strings") : String(item));
        }

        return list;
    }
}
