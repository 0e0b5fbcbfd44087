namespace Modelhost.Server.Security;

/// <summary>Role names as written in the config file, on the command line and in authorization policies.</summary>
public static class Roles
{
    /// <summary>The policy and claim name of <see cref="Role.Infer"/>.</summary>
    public const string Infer = "infer";

    /// <summary>The policy and claim name of <see cref="Role.Train"/>.</summary>
    public const string Train = "train";

    /// <summary>The policy and claim name of <see cref="Role.Manage"/>.</summary>
    public const string Manage = "manage";

    /// <summary>The policy and claim name of <see cref="Role.Admin"/>.</summary>
    public const string Admin = "admin";

    /// <summary>Every role, least first.</summary>
    public static IReadOnlyList<Role> All { get; } = [Role.Infer, Role.Train, Role.Manage, Role.Admin];

    /// <summary>The lower-case name of a role.</summary>
    public static string Name(Role role) => role switch
    {
        Role.Infer => Infer,
        Role.Train => Train,
        Role.Manage => Manage,
        Role.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    /// <summary>Reads a role name (case-sensitive, as written in config).</summary>
    public static bool TryParse(string? text, out Role role)
    {
        role = text switch
        {
            Infer => Role.Infer,
            Train => Role.Train,
            Manage => Role.Manage,
            Admin => Role.Admin,
            _ => 0,
        };
        return role != 0;
    }
}
