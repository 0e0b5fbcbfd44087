namespace Modelhost.Server.Hosting;

/// <summary>What the readiness probes and refused calls say once the server has begun to stop (SIGTERM, Ctrl-C).</summary>
internal static class ServerStopping
{
    public const string Reason = "the server is shutting down";
}
