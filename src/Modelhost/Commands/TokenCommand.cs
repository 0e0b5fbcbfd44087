using System.CommandLine;
using System.Globalization;
using Modelhost.Server.Configuration;
using Modelhost.Server.Security;

namespace Modelhost.Commands;

/// <summary>
/// <c>modelhost token create|list|revoke</c>: API keys in the server config file. <c>create</c> prints the new key once and
/// stores only its salted hash; a running server that reads the file applies the change within a second.
/// </summary>
internal static class TokenCommand
{
    public const int ExitError = 1;

    public static Command Create(TimeProvider time)
    {
        var config = new Option<string>("--config")
        {
            Description = $"The server's config file (default ./{ConfigKeysFile.DefaultPath}; created when missing).",
            DefaultValueFactory = _ => ConfigKeysFile.DefaultPath,
            Recursive = true,
        };

        var name = new Option<string>("--name") { Description = "The key's name (letters, digits, '_', '-', '.'): logs and audit lines show it.", Required = true };
        var role = new Option<string[]>("--role")
        {
            Description = "A role: infer, train, manage or admin (each includes the ones before it). Repeat or separate with commas.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var create = new Command("create", "Make a new API key, print it once and store its hash in the config file.") { name, role };
        create.SetAction(result => Run(() => CreateKey(result.GetValue(config)!, result.GetValue(name)!, result.GetValue(role)!, time)));

        var list = new Command("list", "List the keys in the config file: name, roles, created (never the keys).");
        list.SetAction(result => Run(() => List(result.GetValue(config)!)));

        var revokeName = new Argument<string>("name") { Description = "The name of the key to revoke." };
        var revoke = new Command("revoke", "Remove a key; a running server refuses it within a second.") { revokeName };
        revoke.SetAction(result => Run(() => Revoke(result.GetValue(config)!, result.GetValue(revokeName)!)));

        return new Command("token", "Create, list and revoke API keys.") { config, create, list, revoke };
    }

    private static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is ServerConfigException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitError;
        }
    }

    private static int CreateKey(string path, string name, string[] roleTexts, TimeProvider time)
    {
        if (!ServerConfigFile.IsValidKeyName(name))
        {
            return Fail($"'{name}' is not a valid key name: use 1 to 64 letters, digits, '_', '-' or '.'");
        }

        var roles = new List<Role>();
        foreach (var text in roleTexts.SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Roles.TryParse(text, out var parsed))
            {
                return Fail($"unknown role '{text}'; roles are infer, train, manage, admin");
            }

            if (!roles.Contains(parsed))
            {
                roles.Add(parsed);
            }
        }

        var security = ConfigKeysFile.Load(path).Security;
        if (security.Keys.Any(k => k.Name == name))
        {
            return Fail($"a key named '{name}' already exists in {path}; revoke it first or choose another name");
        }

        var (entry, key) = ApiKey.Create(name, roles, time.GetUtcNow());
        security.Keys = [.. security.Keys, entry];
        ConfigKeysFile.Save(path, security);
        Console.Error.WriteLine($"created key '{name}' ({string.Join(", ", roles.Select(Roles.Name))}) in {path}; it is shown only now:");
        Console.WriteLine(key);
        return 0;
    }

    private static int List(string path)
    {
        var keys = ConfigKeysFile.Load(path).Security.Keys;
        if (keys.Count == 0)
        {
            Console.Error.WriteLine($"no keys in {path}: the server serves anonymous clients on loopback only");
            return 0;
        }

        Console.WriteLine($"{"NAME",-24} {"ROLES",-28} CREATED");
        foreach (var key in keys)
        {
            var created = key.Created?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
            Console.WriteLine($"{key.Name,-24} {string.Join(",", key.Roles.Select(Roles.Name)),-28} {created}");
        }

        return 0;
    }

    private static int Revoke(string path, string name)
    {
        var security = ConfigKeysFile.Load(path).Security;
        var kept = security.Keys.Where(k => k.Name != name).ToList();
        if (kept.Count == security.Keys.Count)
        {
            return Fail($"no key named '{name}' in {path}");
        }

        security.Keys = kept;
        ConfigKeysFile.Save(path, security);
        Console.Error.WriteLine($"revoked key '{name}' in {path}");
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitError;
    }
}
