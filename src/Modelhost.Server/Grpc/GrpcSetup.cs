using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Net.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Server.Security;

namespace Modelhost.Server.Grpc;

/// <summary>
/// The gRPC endpoint: the inference service, <c>grpc.health.v1</c> (Kubernetes' gRPC probes) and server reflection
/// (<c>grpcurl</c> without a proto file), on Kestrel endpoints of their own (<see cref="GrpcListeners"/>).
/// </summary>
internal static class GrpcSetup
{
    /// <summary>The health service's names: "" and the inference service report readiness, "live" liveness.</summary>
    public const string LiveService = "live";

    private const string ReadyTag = "ready";
    private const string LiveTag = "live";

    public static void AddServices(IServiceCollection services, ServerOptions options)
    {
        var grpc = options.Grpc;
        services.AddGrpc(service =>
        {
            service.MaxReceiveMessageSize = grpc.MaxReceiveMessageBytes;
            service.MaxSendMessageSize = grpc.MaxSendMessageBytes;
            service.IgnoreUnknownServices = true;
            service.Interceptors.Add<GrpcErrorInterceptor>();

            // gzip as Grpc.AspNetCore offers it, but with bad compressed data answered INVALID_ARGUMENT.
            var providers = service.CompressionProviders.Count > 0 ? service.CompressionProviders.ToArray() : [new GzipCompressionProvider(System.IO.Compression.CompressionLevel.Fastest)];
            service.CompressionProviders.Clear();
            foreach (var provider in providers)
            {
                service.CompressionProviders.Add(provider as CheckedCompressionProvider ?? new CheckedCompressionProvider(provider));
            }
        });
        // One instance each for every call: they hold no per-call state, and gRPC would otherwise make one per call.
        services.AddSingleton<InferenceService>();
        services.AddSingleton<IServiceMethodProvider<InferenceService>, InferenceServiceBinding>();
        services.AddSingleton<GrpcErrorInterceptor>();
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(health =>
            {
                health.Services.Clear();
                health.Services.Map(string.Empty, result => result.Tags.Contains(ReadyTag));
                health.Services.Map("inference.GRPCInferenceService", result => result.Tags.Contains(ReadyTag));
                health.Services.Map(LiveService, result => result.Tags.Contains(LiveTag));
            })
            .AddCheck<RepositoryHealthCheck>("models", tags: [ReadyTag])
            .AddCheck("process", static () => HealthCheckResult.Healthy(), tags: [LiveTag]);
    }

    /// <summary>Keeps the ports apart; call it right after routing.</summary>
    public static void UseMiddleware(WebApplication app) => app.UseMiddleware<GrpcPortFilterMiddleware>();

    public static void Map(WebApplication app)
    {
        app.MapGrpcService<InferenceService>().Add(endpoint =>
        {
            var method = endpoint.Metadata.OfType<GrpcMethodMetadata>().FirstOrDefault()?.Method.Name;
            endpoint.Metadata.Add(method is "ServerLive" or "ServerReady" ? RouteRole.Open : RouteRole.For(RoleOf(method)));
            // The OpenAPI document describes the HTTP API; the .proto and reflection describe this one.
            endpoint.Metadata.Add(new ExcludeFromDescriptionAttribute());
        });
        app.MapGrpcHealthChecksService().Open().ExcludeFromDescription();
        app.MapGrpcReflectionService().Requires(Role.Infer).ExcludeFromDescription();
    }

    /// <summary>The role a method needs, as its HTTP counterpart: repository changes and the index need manage.</summary>
    internal static Role RoleOf(string? method) => method is "RepositoryIndex" or "RepositoryModelLoad" or "RepositoryModelUnload" or "TraceSetting" or "LogSettings" ? Role.Manage : Role.Infer;
}
