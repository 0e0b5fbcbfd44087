namespace Modelhost.Server.Grpc;

/// <summary>Marks a connection accepted on a gRPC URL; <see cref="GrpcPortFilterMiddleware"/> reads it per request.</summary>
internal sealed class GrpcConnectionFeature
{
    public static GrpcConnectionFeature Instance { get; } = new();

    private GrpcConnectionFeature()
    {
    }
}
