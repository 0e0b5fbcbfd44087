namespace Modelhost.Server.Configuration;

/// <summary>The server's settings are invalid; the message names the key (and file and line) to fix.</summary>
public sealed class ServerConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServerConfigException(string message)
        : base(message)
    {
    }
}
