using System.Globalization;
using Microsoft.AspNetCore.Http;
using Modelhost.Core;
using Modelhost.Core.Inference;

namespace Modelhost.Server.Endpoints;

/// <summary>Applies the <c>X-Request-Timeout-Ms</c> header; a timeout in the body's parameters wins.</summary>
internal static class RequestTimeout
{
    public const string HeaderName = "X-Request-Timeout-Ms";

    public static void Apply(HttpContext context, InferenceRequest request)
    {
        if (request.Timeout is not null || !context.Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return;
        }

        if (!long.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, $"{HeaderName} must be a positive integer of milliseconds");
        }

        request.Timeout = TimeSpan.FromMilliseconds(Math.Min(ms, int.MaxValue));
    }
}
