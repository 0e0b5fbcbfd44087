using System.Globalization;
using Microsoft.AspNetCore.Http;
using Modelhost.Core;

namespace Modelhost.Server.Endpoints;

/// <summary>Reads the model, version and label parts of a route.</summary>
internal static class RouteValues
{
    public static string Model(HttpContext context) => (string)context.Request.RouteValues["model"]!;

    public static long? Version(HttpContext context)
    {
        if (context.Request.RouteValues["version"] is not string text)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, $"version '{text}' is not a positive integer");
        }

        return version;
    }

    public static string? Label(HttpContext context) => context.Request.RouteValues["label"] as string;

    public static string VersionText(long version) => version.ToString(CultureInfo.InvariantCulture);
}
