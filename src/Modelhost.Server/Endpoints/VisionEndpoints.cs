using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Modelhost.Core;
using Modelhost.Core.Detection;
using Modelhost.Core.Models;
using Modelhost.Server.Http;
using Modelhost.Vision;
using Modelhost.Server.Security;

namespace Modelhost.Server.Endpoints;

/// <summary>
/// Object detection in the seed's request format: <c>{"requests":[{"image":{"content":"base64"},"features":[{...}]}]}</c>
/// on <c>POST /v1/vision/{model}:detect</c>, and on <c>POST /</c> for the detector marked <c>vision.default</c>.
/// A multipart upload (field <c>image</c>, features as fields) works too. Each image's error is answered in its
/// own slot, so one bad image does not fail the others.
/// </summary>
internal static class VisionEndpoints
{
    private const int MaxRequestsPerCall = 32;

    /// <summary>Besides JSON, an image may come as a form upload.</summary>
    private static readonly AcceptedContentTypes FormUploads = new("application/json", "multipart/form-data", "application/x-www-form-urlencoded");

    public static void Map(IEndpointRouteBuilder routes, ModelRepositoryManager manager, ServerOptions options)
    {
        routes.MapPost("/v1/vision/{model}:detect", context => DetectAsync(context, manager, RouteValues.Model(context), options)).Requires(Role.Infer).WithMetadata(FormUploads);
        routes.MapPost("/", context => DetectAsync(context, manager, DefaultDetector(manager), options)).Requires(Role.Infer).WithMetadata(FormUploads);
    }

    private static string DefaultDetector(ModelRepositoryManager manager)
    {
        foreach (var name in manager.ModelNames())
        {
            if (manager.GetStatus(name)?.Config.Vision is { IsDefault: true })
            {
                return name;
            }
        }

        throw new InferenceException(InferenceErrorKind.NotFound, "no model is marked 'vision: {default: true}' in its model.yaml, so POST / has no detector");
    }

    private static async Task DetectAsync(HttpContext context, ModelRepositoryManager manager, string name, ServerOptions options)
    {
        using var lease = manager.AcquireForInference(name);
        var model = lease.Model;
        if (model.Config.Vision is null)
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, $"model '{name}' is not a detector: its model.yaml has no 'vision' section");
        }

        List<ImageRequest> requests;
        try
        {
            if (context.Request.HasFormContentType)
            {
                requests = [await ReadMultipartAsync(context, BodyLimit.Image(options))];
            }
            else
            {
                using var body = await RequestBody.ReadJsonAsync(context, BodyLimit.Image(options));
                requests = ReadJson(body.Span);
            }
        }
        catch (Exception ex) when (RejectedRequests.IsClientError(ex))
        {
            model.CountRejected();
            throw;
        }

        var budget = context.RequestServices.GetRequiredService<ImageBudget>();
        var results = new object[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            results[i] = await DetectOneAsync(model, requests[i], budget, context.RequestAborted);
            requests[i] = requests[i] with { Image = default };
        }

        await KServeEndpoints.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("responses"u8);
            foreach (var result in results)
            {
                if (result is DetectionResult detection)
                {
                    WriteResult(w, detection);
                }
                else
                {
                    var (code, message) = ((int, string))result;
                    w.WriteStartObject();
                    w.WriteStartObject("error"u8);
                    w.WriteNumber("code"u8, code);
                    w.WriteString("message"u8, ErrorResponses.Readable(message));
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static async ValueTask<object> DetectOneAsync(LoadedModel model, ImageRequest request, ImageBudget budget, CancellationToken cancellationToken)
    {
        if (request.Error is { } error)
        {
            return (400, error);
        }

        // The decoded size comes from the header, before any pixel is allocated. A header that cannot be read
        // reserves what the decoder may allocate at most, and the decoder is held to what was reserved. Bytes of
        // neither format, and headers past the decoder's own limits, are refused by the decoder before it allocates.
        long pixels;
        if (ImageSize.TryRead(request.Image.Span, out var width, out var height))
        {
            pixels = (long)width * height;
            if (pixels > ImageDecodeOptions.DefaultMaxPixels || width > ImageDecodeOptions.DefaultMaxDimension || height > ImageDecodeOptions.DefaultMaxDimension)
            {
                pixels = 0;
            }
        }
        else
        {
            pixels = ImageDecoder.DetectFormat(request.Image.Span) == ImageFormat.Unknown
                ? 0
                : Math.Min(ImageDecodeOptions.DefaultMaxPixels, budget.Capacity / ImageBudget.BytesPerPixel);
        }

        IDisposable reservation;
        try
        {
            reservation = await budget.ReserveAsync(pixels * ImageBudget.BytesPerPixel, width, height, cancellationToken);
        }
        catch (HttpError ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (413, ex.Message);
        }

        using (reservation)
        {
            RgbImage image;
            using (await budget.DecodeSlotAsync(cancellationToken))
            {
                try
                {
                    // A JPEG comes out at the smallest DCT scale that still covers the model's input.
                    var decodeOptions = new ImageDecodeOptions { Target = model.Config.Vision?.Input };
                    if (pixels > 0)
                    {
                        decodeOptions.MaxPixels = pixels;
                    }

                    image = ImageDecoder.Decode(request.Image.Span, decodeOptions);
                }
                catch (ImageDecodeException ex)
                {
                    return (ex.Kind == ImageErrorKind.Unsupported ? 415 : 400, ex.Message);
                }
            }

            try
            {
                return await ObjectDetector.DetectAsync(model, image, request.Features, cancellationToken);
            }
            catch (InferenceException ex) when (ex.Kind == InferenceErrorKind.InvalidArgument)
            {
                return (400, ex.Message);
            }
        }
    }

    private static void WriteResult(Utf8JsonWriter w, DetectionResult result)
    {
        w.WriteStartObject();
        w.WriteStartArray("detections"u8);
        foreach (var d in result.Objects)
        {
            w.WriteStartObject();
            w.WriteString("label"u8, d.Label);
            w.WriteNumber("score"u8, Math.Round(d.Score, 4));
            w.WriteStartObject("box"u8);
            WriteBox(w, d.X, d.Y, d.Width, d.Height, 2);
            w.WriteEndObject();
            w.WriteStartObject("box_normalized"u8);
            WriteBox(w, d.X / result.ImageWidth, d.Y / result.ImageHeight, d.Width / result.ImageWidth, d.Height / result.ImageHeight, 5);
            w.WriteEndObject();
            w.WriteStartArray("keypoints"u8);
            for (var k = 0; k < d.Keypoints.Length; k += 2)
            {
                w.WriteStartObject();
                w.WriteNumber("x"u8, Math.Round(d.Keypoints[k], 2));
                w.WriteNumber("y"u8, Math.Round(d.Keypoints[k + 1], 2));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("image"u8);
        w.WriteNumber("width"u8, result.ImageWidth);
        w.WriteNumber("height"u8, result.ImageHeight);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteBox(Utf8JsonWriter w, double x, double y, double width, double height, int digits)
    {
        w.WriteNumber("x"u8, Math.Round(x, digits));
        w.WriteNumber("y"u8, Math.Round(y, digits));
        w.WriteNumber("width"u8, Math.Round(width, digits));
        w.WriteNumber("height"u8, Math.Round(height, digits));
    }

    private static List<ImageRequest> ReadJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid("the body must be a JSON object with a 'requests' list");
        }

        List<ImageRequest>? requests = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("requests"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Invalid("'requests' must be a list");
            }

            requests = [];
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (requests.Count == MaxRequestsPerCall)
                {
                    throw Invalid($"a call may carry at most {MaxRequestsPerCall} requests");
                }

                requests.Add(ReadRequest(ref reader, requests.Count));
            }
        }

        if (requests is null || requests.Count == 0)
        {
            throw Invalid("the body has no 'requests', or the list is empty");
        }

        return requests;
    }

    private static ImageRequest ReadRequest(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid($"requests[{index}] must be an object with 'image' and 'features'");
        }

        ReadOnlyMemory<byte>? image = null;
        string? error = null;
        var features = new DetectionFeatures();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("image"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Invalid($"requests[{index}].image must be an object with 'content'");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isContent = reader.ValueTextEquals("content"u8);
                    reader.Read();
                    if (!isContent)
                    {
                        reader.Skip();
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw Invalid($"requests[{index}].image.content must be a base64 string");
                    }

                    image = reader.ValueIsEscaped ? DecodeBase64(reader.GetString()!, out error) : DecodeBase64(reader.ValueSpan, out error);
                }
            }
            else if (reader.ValueTextEquals("features"u8))
            {
                reader.Read();
                features = ReadFeatures(ref reader, index);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (image is null && error is null)
        {
            error = $"requests[{index}] has no image.content";
        }

        return new ImageRequest(image ?? ReadOnlyMemory<byte>.Empty, features, error);
    }

    private static DetectionFeatures ReadFeatures(ref Utf8JsonReader reader, int index)
    {
        // The seed sends a list holding one object; a bare object is accepted too.
        var list = reader.TokenType == JsonTokenType.StartArray;
        if (list)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return new DetectionFeatures();
            }
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid($"requests[{index}].features must be a list holding one object of features");
        }

        float? score = null, iou = null, minHeight = null, minWidth = null;
        int? maxResults = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            switch (key)
            {
                case "score_th":
                    score = Fraction(ref reader, key, index);
                    break;
                case "nms_iou":
                    iou = Fraction(ref reader, key, index);
                    break;
                case "min_height":
                    minHeight = Fraction(ref reader, key, index);
                    break;
                case "min_width":
                    minWidth = Fraction(ref reader, key, index);
                    break;
                case "maxResults":
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var max) || max is < 1 or > 1000)
                    {
                        throw Invalid($"requests[{index}].features.maxResults must be an integer from 1 to 1000");
                    }

                    maxResults = max;
                    break;
                default:
                    throw Invalid($"requests[{index}].features has unknown feature '{key}'; known: score_th, nms_iou, min_height, min_width, maxResults");
            }
        }

        if (list)
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw Invalid($"requests[{index}].features must hold one object");
            }
        }

        return new DetectionFeatures { ScoreThreshold = score, NmsIou = iou, MinHeight = minHeight, MinWidth = minWidth, MaxResults = maxResults };
    }

    private static float Fraction(ref Utf8JsonReader reader, string key, int index)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value) || value is < 0 or > 1)
        {
            throw Invalid($"requests[{index}].features.{key} must be a number from 0 to 1");
        }

        return (float)value;
    }

    /// <summary>Decodes base64 straight from the body's UTF-8, into one array, with no string in between.</summary>
    private static ReadOnlyMemory<byte>? DecodeBase64(ReadOnlySpan<byte> content, out string? error)
    {
        if (content.StartsWith("data:"u8) && content.IndexOf((byte)',') is var comma and > 0)
        {
            content = content[(comma + 1)..];
        }

        var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(content.Length)];
        if (Base64.DecodeFromUtf8(content, buffer, out _, out var written) == OperationStatus.Done)
        {
            error = null;
            return buffer.AsMemory(0, written);
        }

        // Whitespace inside the base64 (line breaks every 76 characters) is accepted by the slower path.
        return DecodeBase64(System.Text.Encoding.UTF8.GetString(content), out error);
    }

    private static ReadOnlyMemory<byte>? DecodeBase64(string content, out string? error)
    {
        // Accept a data URL as browsers make them, e.g. "data:image/png;base64,...".
        var text = content.AsSpan();
        if (text.StartsWith("data:", StringComparison.Ordinal) && text.IndexOf(',') is var comma and > 0)
        {
            text = text[(comma + 1)..];
        }

        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(text, buffer, out var written))
        {
            error = "image.content is not valid base64";
            return null;
        }

        error = null;
        return buffer.AsMemory(0, written);
    }

    private static async Task<ImageRequest> ReadMultipartAsync(HttpContext context, BodyLimit limit)
    {
        var form = await limit.ReadFormAsync(context);
        var file = form.Files.GetFile("image")
            ?? throw Invalid("the multipart form has no file field named 'image'");
        if (file.Length > limit.Bytes)
        {
            throw limit.TooLarge();
        }

        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(bytes, context.RequestAborted);
        }

        return new ImageRequest(bytes, new DetectionFeatures
        {
            ScoreThreshold = FormNumber(form, "score_th"),
            NmsIou = FormNumber(form, "nms_iou"),
            MinHeight = FormNumber(form, "min_height"),
            MinWidth = FormNumber(form, "min_width"),
            MaxResults = FormInteger(form, "maxResults"),
        }, null);
    }

    private static float? FormNumber(IFormCollection form, string key) =>
        !form.TryGetValue(key, out var value) ? null
        : float.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number
        : throw Invalid($"form field '{key}' must be a number");

    // Parsed as a float and cast, 1e11 became int.MaxValue and 2.5 became 2; the range is the features' own check.
    private static int? FormInteger(IFormCollection form, string key) =>
        !form.TryGetValue(key, out var value) ? null
        : int.TryParse(value.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number
        : throw Invalid($"form field '{key}' must be an integer");

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);

    private sealed record ImageRequest(ReadOnlyMemory<byte> Image, DetectionFeatures Features, string? Error);
}
