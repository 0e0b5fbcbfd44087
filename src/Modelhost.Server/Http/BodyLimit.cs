using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Modelhost.Server.Http;

/// <summary>
/// A route kind's largest request body and the config key that sets it. Applying it sets Kestrel's cap for
/// the request, so a route may take more (binary tensors) or less (jobs) than the server-wide cap.
/// </summary>
internal readonly record struct BodyLimit(long Bytes, string Key)
{
    public static BodyLimit JsonInfer(ServerOptions options) =>
        new(Math.Min(options.Limits.JsonInferBytes ?? options.MaxRequestBodyBytes, Array.MaxLength), "limits.json_infer_bytes");

    public static BodyLimit BinaryInfer(ServerOptions options) => new(options.Limits.BinaryInferBytes, "limits.binary_infer_bytes");

    public static BodyLimit Image(ServerOptions options) => new(options.Limits.ImageBytes, "limits.image_bytes");

    public static BodyLimit Job(HttpContext context) =>
        new(context.RequestServices.GetRequiredService<ServerOptions>().Limits.JobBytes, "limits.job_bytes");

    /// <summary>
    /// Raises Kestrel's body cap for this request to the limit where the limit is higher. A lower limit is checked
    /// by the reader instead, so that Kestrel can still drain the rest of a refused body and the client reads the 413.
    /// </summary>
    public void Apply(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false, MaxRequestBodySize: { } cap } feature && cap < Bytes)
        {
            feature.MaxRequestBodySize = Bytes;
        }
    }

    /// <summary>Reads a form (multipart upload) under the limit.</summary>
    public async Task<IFormCollection> ReadFormAsync(HttpContext context)
    {
        if (context.Request.ContentLength > Bytes)
        {
            throw TooLarge();
        }

        Apply(context);

        try
        {
            return await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
        catch (InvalidDataException ex)
        {
            // The form reader's own limits and format checks: no boundary, too many fields, headers too long.
            throw new HttpError(StatusCodes.Status400BadRequest, $"the multipart form is malformed: {ex.Message}");
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            // The whole body arrived (Kestrel reports a short one as BadHttpRequestException), but not the form's end.
            throw new HttpError(StatusCodes.Status400BadRequest, "the multipart form ends before its closing boundary: it is cut off, or its parts are not separated by the boundary that Content-Type names");
        }
    }

    public HttpError TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than the limit of {Bytes} bytes; {Key} sets it");
}
