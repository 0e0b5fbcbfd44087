using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modelhost.Server.Http;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// Triton's extensions that Modelhost does not offer, answered 501 over HTTP (<c>UNIMPLEMENTED</c> over gRPC) with what
/// to do instead, so that a <c>tritonclient</c> call such as <c>get_log_settings()</c> reads a reason, not "no route".
/// </summary>
internal static class TritonUnsupportedEndpoints
{
    public const string SharedMemory =
        "Modelhost does not map client memory: system and CUDA shared memory are not supported; send tensors in the request (raw_input_contents over gRPC, the binary tensor extension over HTTP)";

    public const string TraceSettings =
        "trace settings are fixed when Modelhost starts and cannot be read or changed over the API: set tracing.otlp_endpoint in the configuration to export OpenTelemetry traces";

    public const string LogSettings =
        "log settings are fixed when Modelhost starts and cannot be read or changed over the API: --verbose (verbose: true) logs every request, --log-format json writes JSON lines";

    public static void Map(IEndpointRouteBuilder routes)
    {
        foreach (var memory in new[] { "/v2/systemsharedmemory/{**path}", "/v2/cudasharedmemory/{**path}" })
        {
            routes.MapGet(memory, Refuse(SharedMemory)).Requires(Role.Infer).ExcludeFromDescription();
            routes.MapPost(memory, Refuse(SharedMemory)).Requires(Role.Infer).ExcludeFromDescription();
        }

        foreach (var trace in new[] { "/v2/trace/setting", "/v2/models/{model}/trace/setting" })
        {
            routes.MapGet(trace, Refuse(TraceSettings)).Requires(Role.Manage).ExcludeFromDescription();
            routes.MapPost(trace, Refuse(TraceSettings)).Requires(Role.Manage).ExcludeFromDescription();
        }

        routes.MapGet("/v2/logging", Refuse(LogSettings)).Requires(Role.Manage).ExcludeFromDescription();
        routes.MapPost("/v2/logging", Refuse(LogSettings)).Requires(Role.Manage).ExcludeFromDescription();
    }

    private static RequestDelegate Refuse(string message) =>
        _ => throw new HttpError(StatusCodes.Status501NotImplemented, message);
}
