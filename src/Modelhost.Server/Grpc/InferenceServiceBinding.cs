using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Modelhost.Server.Grpc.Protocol;

namespace Modelhost.Server.Grpc;

/// <summary>
/// Binds <see cref="InferenceService"/>'s methods as the generated code describes them (names, paths, types, the
/// response marshallers), but with <see cref="InferRequestMarshaller"/> reading the requests of ModelInfer and
/// ModelStreamInfer, and with every request message that protobuf cannot parse answered <c>INVALID_ARGUMENT</c>.
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

    private static Method<TRequest, TResponse> WithRequestReader<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var reader = method.RequestMarshaller;
        if (typeof(TRequest) == typeof(ModelInferRequest))
        {
            var generated = (Marshaller<ModelInferRequest>)(object)method.RequestMarshaller;
            reader = (Marshaller<TRequest>)(object)InferRequestMarshaller.Create(generated.ContextualSerializer);
        }

        var deserialize = reader.ContextualDeserializer;
        var name = method.Name;
        var checkedReader = new Marshaller<TRequest>(reader.ContextualSerializer, context => Parse(deserialize, context, name));
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, checkedReader, method.ResponseMarshaller);
    }

    /// <summary>
    /// A message that is not valid protobuf is the client's error. Left to Grpc.AspNetCore, it is answered <c>UNKNOWN</c>
    /// ("Exception was thrown by handler.") and logged as a server error with a stack trace, once per bad message.
    /// </summary>
    private static TRequest Parse<TRequest>(Func<DeserializationContext, TRequest> deserialize, DeserializationContext context, string method)
    {
        try
        {
            return deserialize(context);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the {method} request is not a valid {typeof(TRequest).Name} protobuf message: {ex.Message}"));
        }
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
            context.AddUnaryMethod(WithRequestReader(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Handler<ClientStreamingServerMethod<InferenceService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
            context.AddClientStreamingMethod(WithRequestReader(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Handler<ServerStreamingServerMethod<InferenceService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            context.AddServerStreamingMethod(WithRequestReader(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Handler<DuplexStreamingServerMethod<InferenceService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            context.AddDuplexStreamingMethod(WithRequestReader(method), metadata, invoker);
        }
    }
}
