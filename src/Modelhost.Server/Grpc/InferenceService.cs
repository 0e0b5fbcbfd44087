using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Modelhost.Core;
using Modelhost.Core.Inference;
using Modelhost.Core.Models;
using Modelhost.Core.Repository;
using Modelhost.Core.Tensors;
using Modelhost.Server.Endpoints;
using Modelhost.Server.Grpc.Protocol;
using Modelhost.Server.Hosting;
using Modelhost.Server.Http;
using Modelhost.Server.Security;

namespace Modelhost.Server.Grpc;

/// <summary>
/// <c>inference.GRPCInferenceService</c>: KServe V2's RPCs and Triton's extensions over the same repository manager and
/// dynamic batchers as the HTTP endpoints. <see cref="GrpcErrorInterceptor"/> maps Core's errors to status codes.
/// </summary>
[BindServiceMethod(typeof(InferenceServiceBinding), nameof(InferenceServiceBinding.BindService))]
internal sealed class InferenceService(ModelRepositoryManager manager, ServerOptions options, IHostApplicationLifetime lifetime, TimeProvider time) : GRPCInferenceService.GRPCInferenceServiceBase
{
    /// <summary>Requests of one stream that may be in flight at once; the stream's reader waits beyond it.</summary>
    internal const int MaxInFlightPerStream = 1024;

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = !lifetime.ApplicationStopping.IsCancellationRequested && manager.Readiness().IsReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var name = RequireName(request.Name);
        var version = Version(request.Version);
        try
        {
            using var lease = manager.Acquire(name, version);
            return Task.FromResult(new ModelReadyResponse { Ready = true });
        }
        catch (InferenceException ex) when (ex.Kind is InferenceErrorKind.Unavailable or InferenceErrorKind.NotFound)
        {
            // Triton answers ready: false, not an error, for a model or version it does not serve (unknown, unloaded,
            // not loaded yet): tritonclient.grpc's is_model_ready() raises on any error status, so a client polling
            // it while a model loads would fail instead of waiting.
            return Task.FromResult(new ModelReadyResponse { Ready = false });
        }
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse
        {
            Name = "modelhost",
            Version = ServerInfo.Version,
            Extensions = { "model_repository", "model_configuration", "statistics" },
        });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        using var lease = manager.Acquire(RequireName(request.Name), Version(request.Version));
        var model = lease.Model;
        var response = new ModelMetadataResponse { Name = model.Name, Platform = "onnxruntime_onnx" };
        if (manager.GetStatus(model.Name) is { } status)
        {
            foreach (var version in status.Versions)
            {
                if (version.State == ModelVersionState.Ready)
                {
                    response.Versions.Add(VersionText(version.Version));
                }
            }
        }

        foreach (var node in model.Signature.Inputs)
        {
            response.Inputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = node.Name, Datatype = TensorDataTypes.Name(node.ElementType), Shape = { node.Shape } });
        }

        foreach (var node in model.Signature.Outputs)
        {
            response.Outputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = node.Name, Datatype = TensorDataTypes.Name(node.ElementType), Shape = { node.Shape } });
        }

        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        try
        {
            ThrowIfStopping();

            // The response's outputs live in pooled arrays until Kestrel is done with the call, after the message is written.
            var rented = new RentedArrays();
            context.GetHttpContext().Response.RegisterForDispose(rented);
            return await InferAsync(request, context, rented).ConfigureAwait(false);
        }
        finally
        {
            request.ReturnPooledPayload();
        }
    }

    public override async Task ModelStreamInfer(IAsyncStreamReader<ModelInferRequest> requestStream, IServerStreamWriter<ModelStreamInferResponse> responseStream, ServerCallContext context)
    {
        ThrowIfStopping();

        // Every request runs as soon as it is read, so that the batcher sees them together; the answers go out in the
        // order they finish, through one writer (a stream takes one write at a time).
        // Bounded too: a client that sends without reading holds at most this many answers, then its requests wait.
        var answers = Channel.CreateBounded<(ModelStreamInferResponse Answer, RentedArrays? Rented)>(new BoundedChannelOptions(MaxInFlightPerStream) { SingleReader = true });
        using var gate = new SemaphoreSlim(MaxInFlightPerStream);
        var pending = 1;
        void Done()
        {
            if (Interlocked.Decrement(ref pending) == 0)
            {
                answers.Writer.TryComplete();
            }
        }

        var cancellation = context.CancellationToken;
        var writing = WriteAllAsync(answers.Reader, responseStream, cancellation);
        RpcException? unreadable = null;
        try
        {
            while (await requestStream.MoveNext(cancellation).ConfigureAwait(false))
            {
                await gate.WaitAsync(cancellation).ConfigureAwait(false);
                Interlocked.Increment(ref pending);
                _ = AnswerAsync(requestStream.Current);
            }
        }
        catch (RpcException ex) when (!cancellation.IsCancellationRequested)
        {
            // A message that is not protobuf, or over the size limit, ends the stream with its status; the requests
            // read before it still get their answers first, so the client knows which of them ran.
            unreadable = ex;
        }
        finally
        {
            Done();
        }

        await writing.ConfigureAwait(false);
        if (unreadable is not null)
        {
            throw unreadable;
        }

        async Task AnswerAsync(ModelInferRequest request)
        {
            // The answer's outputs, returned once the writer has written it (or here, if it never gets there).
            RentedArrays? rented = new();
            try
            {
                ModelStreamInferResponse answer;
                try
                {
                    answer = new ModelStreamInferResponse { InferResponse = await InferAsync(request, context, rented).ConfigureAwait(false) };
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    answer = new ModelStreamInferResponse
                    {
                        ErrorMessage = GrpcErrorInterceptor.ToRpc(ex, options)?.Status.Detail ?? "the server failed to run the request",
                        InferResponse = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = request.ModelVersion, Id = request.Id },
                    };
                }
                finally
                {
                    request.ReturnPooledPayload();
                }

                // Triton marks every stream answer with whether it is the request's last; here each is (no model is
                // decoupled). Clients that stream with enable_empty_final_response wait for it to end the request.
                answer.InferResponse.Parameters["triton_final_response"] = new InferParameter { BoolParam = true };
                await answers.Writer.WriteAsync((answer, rented), cancellation).ConfigureAwait(false);
                rented = null;
            }
            catch (OperationCanceledException)
            {
                // The call ended; nobody reads the answer.
            }
            finally
            {
                rented?.Dispose();
                gate.Release();
                Done();
            }
        }
    }

    public override Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context)
    {
        using var lease = manager.Acquire(RequireName(request.Name), Version(request.Version));
        return Task.FromResult(new ModelConfigResponse { Config = TritonModelConfig.Describe(lease.Model) });
    }

    public override Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context)
    {
        var version = Version(request.Version);
        IReadOnlyList<string> names;
        if (request.Name.Length == 0)
        {
            names = manager.ModelNames();
        }
        else
        {
            if (manager.GetStatus(request.Name) is null)
            {
                throw manager.NotServed(request.Name);
            }

            names = [request.Name];
        }

        var response = new ModelStatisticsResponse();
        foreach (var name in names)
        {
            foreach (var model in manager.ReadyVersions(name))
            {
                if (version is null || model.Version == version)
                {
                    response.ModelStats.Add(GrpcModelStatistics.Statistics(model));
                }
            }
        }

        return Task.FromResult(response);
    }

    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        var response = new RepositoryIndexResponse();
        foreach (var row in Endpoints.RepositoryIndex.Read(manager, options, request.Ready))
        {
            response.Models.Add(new RepositoryIndexResponse.Types.ModelIndex { Name = row.Name, Version = row.Version ?? string.Empty, State = row.State, Reason = row.Reason });
        }

        return Task.FromResult(response);
    }

    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        var name = ValidName(request.ModelName);
        AuditTarget.Set(context.GetHttpContext(), "model=" + name);
        if (request.Parameters.Count > 0)
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, Endpoints.RepositoryEndpoints.LoadParametersRefused);
        }

        await manager.LoadAsync(name, context.CancellationToken).ConfigureAwait(false);
        var status = manager.GetStatus(name);
        if (status is not null && status.ConfigError is { } error)
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, $"model '{name}' failed to load: {error}");
        }

        if (status is not null && status.Versions.Count > 0 && !HasReady(status))
        {
            throw new InferenceException(InferenceErrorKind.Unavailable, $"model '{name}' failed to load: {status.Versions[0].Reason}");
        }

        return new RepositoryModelLoadResponse();
    }

    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        var name = ValidName(request.ModelName);
        AuditTarget.Set(context.GetHttpContext(), "model=" + name);
        await manager.UnloadAsync(name, context.CancellationToken).ConfigureAwait(false);
        return new RepositoryModelUnloadResponse();
    }

    public override Task<SystemSharedMemoryStatusResponse> SystemSharedMemoryStatus(SystemSharedMemoryStatusRequest request, ServerCallContext context) => throw SharedMemory();

    public override Task<SystemSharedMemoryRegisterResponse> SystemSharedMemoryRegister(SystemSharedMemoryRegisterRequest request, ServerCallContext context) => throw SharedMemory();

    public override Task<SystemSharedMemoryUnregisterResponse> SystemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest request, ServerCallContext context) => throw SharedMemory();

    public override Task<CudaSharedMemoryStatusResponse> CudaSharedMemoryStatus(CudaSharedMemoryStatusRequest request, ServerCallContext context) => throw SharedMemory();

    public override Task<CudaSharedMemoryRegisterResponse> CudaSharedMemoryRegister(CudaSharedMemoryRegisterRequest request, ServerCallContext context) => throw SharedMemory();

    public override Task<CudaSharedMemoryUnregisterResponse> CudaSharedMemoryUnregister(CudaSharedMemoryUnregisterRequest request, ServerCallContext context) => throw SharedMemory();

    public override Task<TraceSettingResponse> TraceSetting(TraceSettingRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, TritonUnsupportedEndpoints.TraceSettings));

    public override Task<LogSettingsResponse> LogSettings(LogSettingsRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, TritonUnsupportedEndpoints.LogSettings));

    private async Task<ModelInferResponse> InferAsync(ModelInferRequest message, ServerCallContext context, RentedArrays rented)
    {
        // As over HTTP: an unknown model counts under "(unknown)", and a message that never reaches its model (a bad
        // shape, datatype or parameter) as a REJECTED failure of the model it names.
        using var lease = manager.AcquireForInference(RequireName(message.ModelName), Version(message.ModelVersion));
        InferenceRequest request;
        int[]? classification;
        try
        {
            request = GrpcRequestReader.Read(message, out classification);
        }
        catch (Exception ex) when (RejectedRequests.IsClientError(ex))
        {
            lease.Model.CountRejected();
            throw;
        }

        using var owned = request;

        // The call's deadline (grpc-timeout) bounds the wait in the queue as the timeout parameter does; the shorter wins.
        var parameter = request.Timeout;
        var fromDeadline = false;
        if (context.Deadline != DateTime.MaxValue)
        {
            var left = context.Deadline - time.GetUtcNow().UtcDateTime;
            if (left <= TimeSpan.Zero)
            {
                throw new InferenceException(InferenceErrorKind.DeadlineExceeded, "the call's deadline (grpc-timeout) passed before it was queued");
            }

            if (parameter is not { } timeout || left < timeout)
            {
                request.Timeout = left;
                fromDeadline = true;
            }
        }

        try
        {
            using var result = await lease.Model.InferAsync(request, context.CancellationToken).ConfigureAwait(false);
            var model = lease.Model;
            return GrpcResponseWriter.Write(result, rented, classification, model.Config.ClassLabels, model.MaxBatchSize > 0);
        }
        catch (InferenceException ex) when (ex.Kind == InferenceErrorKind.DeadlineExceeded && (fromDeadline || parameter is not null))
        {
            // Say which limit it was: Core only knows that the request's deadline passed.
            var limit = fromDeadline
                ? "the call's deadline (grpc-timeout)"
                : string.Create(CultureInfo.InvariantCulture, $"parameters.timeout ({(long)parameter!.Value.TotalMicroseconds} µs)");
            throw new InferenceException(InferenceErrorKind.DeadlineExceeded, $"{ex.Message} The limit was {limit}.", ex);
        }
    }

    private static async Task WriteAllAsync(ChannelReader<(ModelStreamInferResponse Answer, RentedArrays? Rented)> answers, IServerStreamWriter<ModelStreamInferResponse> stream, CancellationToken cancellationToken)
    {
        await foreach (var (answer, rented) in answers.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await stream.WriteAsync(answer, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // The message is serialized into the response by then.
                rented?.Dispose();
            }
        }
    }

    private void ThrowIfStopping()
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, ServerStopping.Reason));
        }
    }

    private static RpcException SharedMemory() => new(new Status(StatusCode.Unimplemented, TritonUnsupportedEndpoints.SharedMemory));

    private static string RequireName(string name) =>
        name.Length > 0 ? name : throw new InferenceException(InferenceErrorKind.InvalidArgument, "the request names no model: set its model name");

    private static string ValidName(string name) =>
        ModelName.TryValidate(name, out var error) ? name : throw new InferenceException(InferenceErrorKind.InvalidArgument, error);

    private static long? Version(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, $"version '{text}' is not a positive integer");
        }

        return version;
    }

    private static string VersionText(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static bool HasReady(ModelStatus status)
    {
        foreach (var version in status.Versions)
        {
            if (version.State == ModelVersionState.Ready)
            {
                return true;
            }
        }

        return false;
    }
}
