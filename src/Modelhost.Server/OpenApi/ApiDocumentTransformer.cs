using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Modelhost.Server.Security;

namespace Modelhost.Server.OpenApi;

/// <summary>
/// Describes every route the server maps. The routes are request delegates that read and write JSON themselves, so
/// ASP.NET Core's generator sees no parameter or return types; this transformer walks the same endpoint data source,
/// adds each route with its path parameters and role, and takes a summary, an example request and an example response
/// from <see cref="ApiExamples"/>, with JSON schemas inferred from those examples. Errors share one schema.
/// </summary>
internal sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Modelhost",
            Version = "v1",
            Description = "KServe V2 (Open Inference Protocol), TF Serving REST, Triton's repository and statistics extensions, the seed's routes, jobs and forecasts. Send keys as X-Api-Token or Authorization: Bearer.",
        };
        document.Paths ??= [];
        var sources = context.ApplicationServices.GetServices<EndpointDataSource>();
        foreach (var source in sources)
        {
            foreach (var endpoint in source.Endpoints)
            {
                if (endpoint is not RouteEndpoint route || endpoint.Metadata.GetMetadata<RouteRole>() is not { } role
                    || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods
                    || endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true })
                {
                    continue;
                }

                var pattern = route.RoutePattern.RawText ?? "/";
                if (!document.Paths.TryGetValue(pattern, out var item))
                {
                    item = new OpenApiPathItem();
                    document.Paths[pattern] = item;
                }

                foreach (var method in methods.HttpMethods)
                {
                    ((OpenApiPathItem)item).AddOperation(new HttpMethod(method), Describe(method, route, role));
                }
            }
        }

        return Task.CompletedTask;
    }

    private static OpenApiOperation Describe(string method, RouteEndpoint route, RouteRole role)
    {
        var pattern = route.RoutePattern.RawText ?? "/";
        var known = ApiExamples.Find(method, pattern);
        var needs = role.Required is { } required ? $"Needs a key with the '{Roles.Name(required)}' role (or one above it)." : "Open to every caller.";
        var operation = new OpenApiOperation
        {
            Summary = known?.Summary ?? method + " " + pattern,
            Description = needs,
            Parameters = [],
            Responses = new OpenApiResponses
            {
                ["200"] = known?.Response is "" ? new OpenApiResponse { Description = "OK; the status code is the answer, without a body." } : new OpenApiResponse { Description = "OK", Content = Json(known?.Response ?? "{}") },
                ["4XX"] = new OpenApiResponse { Description = "The request is wrong, unauthorized, not found or rate limited; the error says what.", Content = Json(ApiExamples.Error) },
                ["5XX"] = new OpenApiResponse { Description = "The model or the server cannot answer now.", Content = Json(ApiExamples.Error) },
            },
        };
        foreach (var parameter in route.RoutePattern.Parameters)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = ParameterLocation.Path,
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        if (known?.Request is { } request)
        {
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = Json(request) };
        }
        else if (method == HttpMethods.Post && (pattern.EndsWith(":detect", StringComparison.Ordinal) || pattern == "/"))
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["image/*"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                },
            };
        }

        return operation;
    }

    private static Dictionary<string, OpenApiMediaType> Json(string example)
    {
        var node = JsonNode.Parse(example);
        return new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new OpenApiMediaType { Schema = SchemaOf(node), Example = node },
        };
    }

    /// <summary>A JSON schema that the example satisfies: its types, its object properties, its array items.</summary>
    private static OpenApiSchema SchemaOf(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
                foreach (var (name, value) in obj)
                {
                    properties[name] = SchemaOf(value);
                }

                return new OpenApiSchema { Type = JsonSchemaType.Object, Properties = properties };
            case JsonArray array:
                return new OpenApiSchema { Type = JsonSchemaType.Array, Items = array.Count > 0 ? SchemaOf(array[0]) : new OpenApiSchema() };
            case JsonValue value when value.TryGetValue<string>(out _):
                return new OpenApiSchema { Type = JsonSchemaType.String };
            case JsonValue value when value.TryGetValue<bool>(out _):
                return new OpenApiSchema { Type = JsonSchemaType.Boolean };
            case JsonValue value when value.ToJsonString().Contains('.', StringComparison.Ordinal):
                return new OpenApiSchema { Type = JsonSchemaType.Number };
            case JsonValue:
                return new OpenApiSchema { Type = JsonSchemaType.Integer };
            default:
                return new OpenApiSchema { Type = JsonSchemaType.Null };
        }
    }
}
