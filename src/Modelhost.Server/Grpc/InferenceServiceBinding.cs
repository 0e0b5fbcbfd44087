using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Binds <see cref="InferenceService"/>'s methods as the generated code describes them (names, paths, types, the
/// response marshallers), but with <see cref="InferRequestMarshaller"/> reading the requests of ModelInfer and
/// ModelStreamInfer.
/// </summary>
/// <remarks>
/// Grpc.AspNetCore's own binder cannot swap a marshaller: it binds whatever the generated <c>BindService</c> hands it.
/// So the service's <see cref="BindServiceMethodAttribute"/> points at <see cref="BindService"/>, which binds nothing,
/// and this provider (Grpc.AspNetCore's extension point for services it does not generate) binds every method instead.
/// Server reflection still finds the service's descriptor through the generated base class.
/// </remarks>
internal sealed class InferenceServiceBinding : IServiceMethodProvider<InferenceService>
{
    /// <summary>Grpc.AspNetCore's generated-code binder calls this; the methods are bound by <see cref="OnServiceMethodDiscovery"/>.</summary>
    public static void BindService(ServiceBinderBase binder, InferenceService? service)
    {
    }

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<InferenceService> context) =>
        GRPCInferenceService.BindService(new Binder(context), null);

    private static Method<TRequest, TResponse> WithPooledRequests<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        if (typeof(TRequest) != typeof(ModelInferRequest))
        {
            return method;
        }

        var generated = (Marshaller<ModelInferRequest>)(object)method.RequestMarshaller;
        var pooled = (Marshaller<TRequest>)(object)InferRequestMarshaller.Create(generated.ContextualSerializer);
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, pooled, method.ResponseMarshaller);
    }

    /// <summary>An open delegate to the service's method of that name and parameters, and the endpoint metadata Grpc.AspNetCore gives it.</summary>
    private static (TDelegate Invoker, List<object> Metadata) Handler<TDelegate>(string name, params Type[] parameters)
        where TDelegate : Delegate
    {
        var method = typeof(InferenceService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)
            ?? throw new InvalidOperationException($"{nameof(InferenceService)} has no method {name}.");
        var metadata = new List<object>();
        metadata.AddRange(typeof(InferenceService).GetCustomAttributes(inherit: true));
        metadata.AddRange(method.GetCustomAttributes(inherit: true));
        metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
        return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), method), metadata);
    }

    private sealed class Binder(ServiceMethodProviderContext<InferenceService> context) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Handler<UnaryServerMethod<InferenceService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext));
            context.AddUnaryMethod(WithPooledRequests(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Handler<ClientStreamingServerMethod<InferenceService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
            context.AddClientStreamingMethod(WithPooledRequests(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Handler<ServerStreamingServerMethod<InferenceService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            context.AddServerStreamingMethod(WithPooledRequests(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Handler<DuplexStreamingServerMethod<InferenceService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            context.AddDuplexStreamingMethod(WithPooledRequests(method), metadata, invoker);
        }
    }
}
