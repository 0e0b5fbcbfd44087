using System.Globalization;
using Modelhost.Server.Security;
using YamlDotNet.RepresentationModel;

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

    private static void ReadAuth(YamlNode node, SecurityOptions security, string path)
    {
        foreach (var (keyNode, value, key) in Mapping(node, "auth", path))
        {
            var full = "auth." + key;
            switch (key)
            {
                case "keys":
                    security.Keys = ReadKeys(value, full, path);
                    break;
                case "allow_anonymous":
                    security.AllowAnonymous = Bool(value, full, path);
                    break;
                case "allowed_hosts":
                    security.AllowedHosts = Strings(value, full, path);
                    break;
                case "cors_origins":
                    var origins = Strings(value, full, path);
                    foreach (var origin in origins)
                    {
                        if (origin != "*" && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"))
                        {
                            throw new ServerConfigException($"{path}:{value.Start.Line}: {full}: '{origin}' is not an origin such as https://app.example.com");
                        }
                    }

                    security.CorsOrigins = origins;
                    break;
                case "jwt":
                    security.Jwt = ReadJwt(value, full, path);
                    break;
                default:
                    throw Unknown(keyNode, full, path, AuthKeys);
            }
        }
    }

    private static JwtOptions ReadJwt(YamlNode node, string full, string path)
    {
        var jwt = new JwtOptions();
        foreach (var (keyNode, value, key) in Mapping(node, full, path))
        {
            var itemKey = full + "." + key;
            switch (key)
            {
                case "issuer":
                    jwt.Issuer = String(value, itemKey, path);
                    break;
                case "audience":
                    jwt.Audience = String(value, itemKey, path);
                    break;
                case "signing_keys":
                    jwt.SigningKeyFiles = Strings(value, itemKey, path);
                    break;
                case "roles_claim":
                    jwt.RolesClaim = String(value, itemKey, path);
                    break;
                case "name_claim":
                    jwt.NameClaim = String(value, itemKey, path);
                    break;
                default:
                    throw Unknown(keyNode, itemKey, path, JwtKeys);
            }
        }

        if (jwt.Issuer.Length == 0 || jwt.Audience.Length == 0 || jwt.SigningKeyFiles.Count == 0)
        {
            throw new ServerConfigException($"{path}:{node.Start.Line}: {full}: issuer, audience and signing_keys are all required");
        }

        return jwt;
    }

    private static List<ApiKey> ReadKeys(YamlNode node, string full, string path)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw new ServerConfigException($"{path}:{node.Start.Line}: {full}: expected a list of keys");
        }

        var keys = new List<ApiKey>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in sequence.Children)
        {
            string? name = null, id = null, hash = null;
            DateTimeOffset? created = null;
            List<Role>? roles = null;
            foreach (var (keyNode, value, key) in Mapping(item, full + "[]", path))
            {
                var itemKey = full + "[]." + key;
                switch (key)
                {
                    case "name":
                        name = String(value, itemKey, path);
                        if (!IsValidKeyName(name))
                        {
                            throw new ServerConfigException($"{path}:{value.Start.Line}: {itemKey}: '{name}' is not a valid key name: use 1 to 64 letters, digits, '_', '-' or '.'");
                        }

                        break;
                    case "roles":
                        roles = [];
                        foreach (var text in Strings(value, itemKey, path))
                        {
                            roles.Add(Roles.TryParse(text, out var role)
                                ? role
                                : throw new ServerConfigException($"{path}:{value.Start.Line}: {itemKey}: unknown role '{text}'; roles are infer, train, manage, admin"));
                        }

                        break;
                    case "id":
                        id = String(value, itemKey, path);
                        if (!ApiKeySecrets.IsValidId(id))
                        {
                            throw new ServerConfigException($"{path}:{value.Start.Line}: {itemKey}: expected 16 lower-case hex digits as 'modelhost token create' writes");
                        }

                        break;
                    case "hash":
                        hash = String(value, itemKey, path);
                        if (!ApiKeySecrets.IsValidHash(hash))
                        {
                            throw new ServerConfigException($"{path}:{value.Start.Line}: {itemKey}: expected sha256:SALT:DIGEST as 'modelhost token create' writes");
                        }

                        break;
                    case "created":
                        created = DateTimeOffset.TryParse(String(value, itemKey, path), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                            ? at
                            : throw new ServerConfigException($"{path}:{value.Start.Line}: {itemKey}: expected an ISO 8601 time");
                        break;
                    default:
                        throw Unknown(keyNode, itemKey, path, KeyKeys);
                }
            }

            if (name is null || id is null || hash is null || roles is not { Count: > 0 })
            {
                throw new ServerConfigException($"{path}:{item.Start.Line}: {full}: every key needs name, roles, id and hash; make keys with 'modelhost token create'");
            }

            if (!names.Add(name) || !ids.Add(id))
            {
                throw new ServerConfigException($"{path}:{item.Start.Line}: {full}: two keys share the name '{name}' or the id '{id}'");
            }

            keys.Add(new ApiKey(name, roles, id, hash, created));
        }

        return keys;
    }

    private static bool Bool(YamlNode node, string key, string path) => String(node, key, path) switch
    {
        "true" => true,
        "false" => false,
        var other => throw new ServerConfigException($"{path}:{node.Start.Line}: {key}: expected true or false, got '{other}'"),
    };

    private static List<string> Strings(YamlNode node, string key, string path)
    {
        if (node is YamlScalarNode scalar)
        {
            return [String(scalar, key, path)];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw new ServerConfigException($"{path}:{node.Start.Line}: {key}: expected a list of strings");
        }

        var list = new List<string>(sequence.Children.Count);
        foreach (var item in sequence.Children)
        {
            list.Add(String(item, key, path));
        }

        return list;
    }
}
