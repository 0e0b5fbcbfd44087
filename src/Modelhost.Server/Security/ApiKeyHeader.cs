using Microsoft.AspNetCore.Http;

namespace Modelhost.Server.Security;

/// <summary>Reads the key a request carries: <c>X-Api-Token: KEY</c> (the seed's header) or <c>Authorization: Bearer KEY</c>.</summary>
internal static class ApiKeyHeader
{
    public const string TokenHeader = "X-Api-Token";

    public static ReadOnlySpan<char> Read(HttpRequest request)
    {
        var headers = request.Headers;
        var token = headers[TokenHeader];
        if (token.Count > 0)
        {
            return token[0].AsSpan().Trim();
        }

        var authorization = headers.Authorization;
        if (authorization.Count > 0)
        {
            var value = authorization[0].AsSpan().Trim();
            if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return value["Bearer ".Length..].Trim();
            }
        }

        return default;
    }
}
