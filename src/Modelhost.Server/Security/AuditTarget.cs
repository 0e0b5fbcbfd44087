using Microsoft.AspNetCore.Http;

namespace Modelhost.Server.Security;

/// <summary>
/// The target of an audited action when the route does not hold it: a gRPC call names its model in the message, which
/// only the service reads. The service sets it once the name is validated; the audit line then shows it.
/// </summary>
internal static class AuditTarget
{
    private static readonly object Key = new();

    public static void Set(HttpContext context, string target) => context.Items[Key] = target;

    public static string? Get(HttpContext context) => context.Items.TryGetValue(Key, out var target) ? target as string : null;
}
