using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Modelhost.Core.Inference;
using Modelhost.Core.Models;
using Modelhost.Core.Tensors;
using Modelhost.Server.Hosting;
using Modelhost.Server.Http;
using Modelhost.Server.Json;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>The KServe V2 (Open Inference Protocol) REST routes.</summary>
internal static class KServeEndpoints
{
    private static readonly byte[] _liveBody = """{"live":true}"""u8.ToArray();

    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager, ServerOptions options)
    {
        routes.MapGet("/v2", context => WriteJsonAsync(context, static w =>
        {
            w.WriteStartObject();
            w.WriteString("name"u8, "modelhost");
            w.WriteString("version"u8, ServerInfo.Version);
            w.WriteStartArray("extensions"u8);
            w.WriteStringValue("model_repository"u8);
            w.WriteStringValue("model_configuration"u8);
            w.WriteStringValue("statistics"u8);
            w.WriteStringValue("binary_tensor_data"u8);
            w.WriteStringValue("classification"u8);
            w.WriteEndArray();
            w.WriteEndObject();
        })).Requires(Role.Infer);

        routes.MapGet("/v2/health/live", static context =>
        {
            // The status is the answer (Triton's clients read only it), but KServe's Python client reads the body of
            // KServe's own server, {"live": true}, and failed on an empty one.
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
            response.ContentLength = _liveBody.Length;
            return response.Body.WriteAsync(_liveBody, 0, _liveBody.Length, context.RequestAborted);
        }).Open();

        routes.MapGet("/v2/health/ready", context =>
        {
            // The V2 spec answers health with the status code: 200 for true, 4xx for false. Triton's strict readiness:
            // every model that should be served has a ready version; the body says which do not, and why, to callers
            // that may read model metadata (the probe itself is open to all).
            // The job store's state is reported beside, but does not decide readiness: readiness is about serving models, and a
            // broken job store leaves inference working (job requests answer 503 meanwhile).
            // From the moment the server begins to stop (SIGTERM), it is not ready, so that a load balancer sends new
            // requests elsewhere while Kestrel drains the ones in flight; liveness stays true.
            var readiness = manager.Readiness();
            var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested;
            var ready = readiness.IsReady && !stopping;
            var detailed = context.User.IsInRole(Roles.Infer);
            var jobs = (context.RequestServices.GetService(typeof(Workflows.JobsHost)) as Workflows.JobsHost)?.Health;
            context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
            return WriteJsonAsync(context, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ready"u8, ready);
                if (jobs is not null)
                {
                    w.WriteStartObject("jobs"u8);
                    w.WriteBoolean("ok"u8, jobs.Available);
                    if (detailed && jobs.Reason is { } jobsReason)
                    {
                        w.WriteString("reason"u8, ErrorResponses.Readable(jobsReason));
                        w.WriteString("since"u8, jobs.Since);
                    }

                    w.WriteEndObject();
                }

                if (!detailed)
                {
                    w.WriteEndObject();
                    return;
                }

                if (stopping)
                {
                    w.WriteString("reason"u8, ServerStopping.Reason);
                }
                else if (readiness.Reason is { } reason)
                {
                    w.WriteString("reason"u8, ErrorResponses.Readable(ErrorResponses.RelativePaths(reason, options)));
                }

                w.WriteStartArray("models"u8);
                foreach (var model in readiness.Models)
                {
                    w.WriteStartObject();
                    w.WriteString("name"u8, model.Name);
                    w.WriteString("reason"u8, ErrorResponses.Readable(ErrorResponses.RelativePaths(model.Reason, options)));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }).Open();

        RequestDelegate metadata = context => ModelMetadataAsync(context, manager);
        routes.MapGet("/v2/models/{model}", metadata).Requires(Role.Infer);
        routes.MapGet("/v2/models/{model}/versions/{version}", metadata).Requires(Role.Infer);

        // Triton's model configuration extension (perf_analyzer and tritonclient.http's get_model_config() read it).
        RequestDelegate config = context =>
        {
            using var lease = manager.Acquire(RouteValues.Model(context), RouteValues.Version(context));
            var described = TritonModelConfig.Describe(lease.Model);
            return WriteJsonAsync(context, w => ProtobufJson.Write(w, described));
        };
        routes.MapGet("/v2/models/{model}/config", config).Requires(Role.Infer);
        routes.MapGet("/v2/models/{model}/versions/{version}/config", config).Requires(Role.Infer);

        // KServe's model list (its server's GET /v2/models): the names of the repository's models, as the index lists them.
        routes.MapGet("/v2/models", context => WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("models"u8);
            foreach (var model in manager.Index())
            {
                w.WriteStringValue(model.Name);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        })).Requires(Role.Infer);

        RequestDelegate ready = context => ModelReadyAsync(context, manager);
        routes.MapGet("/v2/models/{model}/ready", ready).Requires(Role.Infer);
        routes.MapGet("/v2/models/{model}/versions/{version}/ready", ready).Requires(Role.Infer);

        RequestDelegate infer = context => InferAsync(context, manager, options);
        routes.MapPost("/v2/models/{model}/infer", infer).Requires(Role.Infer);
        routes.MapPost("/v2/models/{model}/versions/{version}/infer", infer).Requires(Role.Infer);
    }

    private static Task ModelMetadataAsync(HttpContext context, ModelRepositoryManager manager)
    {
        using var lease = manager.Acquire(RouteValues.Model(context), RouteValues.Version(context));
        var model = lease.Model;
        var status = manager.GetStatus(model.Name);
        return WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("name"u8, model.Name);
            w.WriteStartArray("versions"u8);
            if (status is not null)
            {
                foreach (var version in status.Versions)
                {
                    if (version.State == ModelVersionState.Ready)
                    {
                        w.WriteStringValue(RouteValues.VersionText(version.Version));
                    }
                }
            }

            w.WriteEndArray();
            w.WriteString("platform"u8, "onnxruntime_onnx");

            // Not in the V2 protocol, which clients tolerate: which engine runs this version (model.yaml's engine).
            w.WriteString("engine"u8, model.Engine);
            WriteTensorMetadata(w, "inputs"u8, model.Signature.Inputs);
            WriteTensorMetadata(w, "outputs"u8, model.Signature.Outputs);
            w.WriteEndObject();
        });
    }

    private static Task ModelReadyAsync(HttpContext context, ModelRepositoryManager manager)
    {
        try
        {
            using var lease = manager.Acquire(RouteValues.Model(context), RouteValues.Version(context));
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        catch (Core.InferenceException ex) when (ex.Kind == Core.InferenceErrorKind.Unavailable)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    private static async Task InferAsync(HttpContext context, ModelRepositoryManager manager, ServerOptions options)
    {
        using var lease = manager.AcquireForInference(RouteValues.Model(context), RouteValues.Version(context));
        InferenceRequest request;
        V2OutputFormat format;
        try
        {
            var headerLength = BinaryHeaderLength(context);
            using var body = await RequestBody.ReadJsonAsync(context, headerLength is null ? BodyLimit.JsonInfer(options) : BodyLimit.BinaryInfer(options), binaryJsonLength: headerLength);
            try
            {
                request = V2RequestParser.Parse(body.Span, headerLength ?? body.Length, out format);
            }
            catch (JsonException) when (body.WithNonFiniteLiteralsQuoted(headerLength, out var jsonLength) is { } quoted)
            {
                // NaN or Infinity, which Triton and Python's json.dumps write: again with them quoted.
                using (quoted)
                {
                    request = V2RequestParser.Parse(quoted.Span, jsonLength, out format);
                }
            }
        }
        catch (Exception ex) when (RejectedRequests.IsClientError(ex))
        {
            lease.Model.CountRejected();
            throw;
        }

        using var owned = request;
        request.Protocol = "v2";
        RequestTimeout.Apply(context, request);
        using var result = await lease.Model.InferAsync(request, context.RequestAborted);
        var classified = format.Classification is null ? null : V2ResponseWriter.Classify(result, format, lease.Model.Config.ClassLabels, lease.Model.MaxBatchSize > 0);
        if (format.AnyBinary(result.Outputs))
        {
            await V2ResponseWriter.WriteBinaryAsync(context, result, format, classified);
            return;
        }

        context.Response.ContentType = "application/json";
        var w = JsonWriterCache.Rent();
        try
        {
            V2ResponseWriter.WriteJson(w, result, format, classified);
            JsonWriterCache.WriteTo(w, context.Response);
        }
        finally
        {
            JsonWriterCache.Return(w);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static int? BinaryHeaderLength(HttpContext context)
    {
        if (!context.Request.Headers.TryGetValue(V2ResponseWriter.HeaderLengthName, out var value))
        {
            return null;
        }

        if (!int.TryParse(value.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length))
        {
            throw new Core.InferenceException(Core.InferenceErrorKind.InvalidArgument, $"{V2ResponseWriter.HeaderLengthName} must be a non-negative integer");
        }

        return length;
    }

    internal static void WriteTensorMetadata(Utf8JsonWriter w, ReadOnlySpan<byte> property, IReadOnlyList<Core.Engine.NodeInfo> nodes)
    {
        w.WriteStartArray(property);
        foreach (var node in nodes)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, node.Name);
            w.WriteString("datatype"u8, TensorDataTypes.Name(node.ElementType));
            TensorJsonWriter.WriteShape(w, node.Shape);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    internal static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        var w = JsonWriterCache.Rent();
        try
        {
            write(w);
            JsonWriterCache.WriteTo(w, context.Response);
        }
        finally
        {
            JsonWriterCache.Return(w);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
