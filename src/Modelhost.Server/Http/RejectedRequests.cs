using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Modelhost.Core;

namespace Modelhost.Server.Http;

/// <summary>
/// Which errors, thrown while an inference route reads and parses its body, are the client's fault: such a request
/// never reaches its model, but counts as a failed request of the model it named, with reason <c>REJECTED</c>, as
/// Triton counts bad input.
/// </summary>
internal static class RejectedRequests
{
    /// <summary>Whether <paramref name="error"/> refuses the request as invalid (malformed JSON, a bad body, a wrong media type).</summary>
    public static bool IsClientError(Exception error) => error switch
    {
        InferenceException inference => inference.Kind == InferenceErrorKind.InvalidArgument,
        HttpError http => http.StatusCode is >= 400 and < 500,
        JsonException or BadHttpRequestException => true,
        _ => false,
    };
}
