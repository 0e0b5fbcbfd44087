using System.Reflection;

namespace Modelhost.Server;

/// <summary>The server's name and version, as the protocols report them.</summary>
public static class ServerInfo
{
    /// <summary>The informational version of this build.</summary>
    public static string Version { get; } =
        typeof(ServerInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
