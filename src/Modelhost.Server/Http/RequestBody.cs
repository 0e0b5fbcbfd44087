using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Modelhost.Core.Tensors;

namespace Modelhost.Server.Http;

/// <summary>
/// A JSON request body read whole into one buffer, after checking its content type and size, so that it
/// can be parsed with <see cref="System.Text.Json.Utf8JsonReader"/> in one pass with no copies per element.
/// Small bodies borrow from the shared array pool; a body over <see cref="TensorBuffers.MaxPooledBytes"/> gets an array of its own,
/// which the GC takes back after the request: the shared pool keeps every array returned to it for good, so pooling
/// large bodies would hold a burst's peak for the life of the process.
/// </summary>
/// <remarks>
/// The JSON text is checked to be UTF-8 here, once, because <see cref="System.Text.Json.Utf8JsonReader"/> does not check
/// the bytes inside strings: it fails only when a string is decoded, with an exception that would otherwise reach the
/// client as a 500 from whichever parser happened to decode it. The same holds for a <c>\u</c> escape of half a UTF-16
/// surrogate pair, which is valid JSON syntax but not text: both are refused here with the byte where they begin.
/// </remarks>
internal sealed class RequestBody : IDisposable
{
    private byte[]? _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>Reads the body whole, after checking its content type and size, and checks that its JSON is UTF-8.</summary>
    /// <param name="context">The request's context.</param>
    /// <param name="limit">The route's body limit.</param>
    /// <param name="binaryJsonLength">
    /// For KServe's binary tensor extension (<c>Inference-Header-Content-Length</c>): the body is this many bytes of JSON
    /// followed by raw tensor data, and may be sent as <c>application/octet-stream</c>. Null for a body that is all JSON.
    /// </param>
    public static async ValueTask<RequestBody> ReadJsonAsync(HttpContext context, BodyLimit limit, int? binaryJsonLength = null)
    {
        var request = context.Request;
        CheckContentType(request.ContentType, binaryAllowed: binaryJsonLength is not null);
        if (request.ContentLength > limit.Bytes)
        {
            throw limit.TooLarge();
        }

        limit.Apply(context);
        if (request.Headers.ContentEncoding.Count > 0 && request.Headers.ContentEncoding.ToString().Trim() is var encoding
            && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return CheckUtf8(await ReadEncodedAsync(context, limit, encoding), binaryJsonLength);
        }

        var reader = request.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(context.RequestAborted);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw limit.TooLarge();
            }

            var buffer = result.Buffer;
            if (buffer.Length > limit.Bytes)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw limit.TooLarge();
            }

            if (result.IsCanceled)
            {
                // A read cancelled by the server (it is stopping) is not a complete body: parsing what came so far
                // would blame the client for malformed JSON.
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new HttpError(StatusCodes.Status503ServiceUnavailable, "the request body was cut off because the server is stopping; send it again");
            }

            if (result.IsCompleted)
            {
                var length = (int)buffer.Length;
                var array = TensorBuffers.Rent(length);
                buffer.CopyTo(array);
                reader.AdvanceTo(buffer.End);
                return CheckUtf8(new RequestBody(array, length), binaryJsonLength);
            }

            // Keep everything and ask for more: the body is parsed only once it is complete.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// This body again with each bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> in its JSON quoted (see
    /// <see cref="Json.NonFiniteLiterals"/>), for a second parse of a body that failed; null when it holds none. Each
    /// literal gains two bytes, so the copy is at most 5/3 of the body the route's limit admitted.
    /// </summary>
    /// <param name="binaryJsonLength">As for <see cref="ReadJsonAsync"/>: the JSON's length when binary data follows it.</param>
    /// <param name="jsonLength">The quoted JSON's length in the new body.</param>
    public RequestBody? WithNonFiniteLiteralsQuoted(int? binaryJsonLength, out int jsonLength)
    {
        var body = Span;
        var json = body[..Math.Min(binaryJsonLength ?? body.Length, body.Length)];
        var count = Json.NonFiniteLiterals.Count(json);
        jsonLength = json.Length + (2 * count);
        if (count == 0 || (long)body.Length + (2L * count) > Array.MaxLength)
        {
            return null;
        }

        var length = body.Length + (2 * count);
        var array = TensorBuffers.Rent(length);
        Json.NonFiniteLiterals.Quote(json, array);
        body[json.Length..].CopyTo(array.AsSpan(jsonLength));
        return new RequestBody(array, length);
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            TensorBuffers.Return(buffer);
        }
    }

    private static RequestBody CheckUtf8(RequestBody body, int? binaryJsonLength)
    {
        var json = body.Span[..Math.Min(binaryJsonLength ?? body.Length, body.Length)];
        if (!Utf8.IsValid(json))
        {
            body.Dispose();
            throw NotUtf8(json);
        }

        if (UnpairedSurrogateEscape(json) is var at and >= 0)
        {
            body.Dispose();
            throw new HttpError(
                StatusCodes.Status400BadRequest,
                $"the request body has an unpaired UTF-16 surrogate escape at byte {at + 1} ({Encoding.ASCII.GetString(json.Slice(at, 6))}): JSON strings must be valid Unicode, so \\uD800-\\uDBFF must be followed by \\uDC00-\\uDFFF, which comes only after it");
        }

        return body;
    }

    /// <summary>
    /// Where the first <c>\u</c> escape of a UTF-16 surrogate without its partner begins (a lone <c>\ud800</c>, or
    /// <c>\udc00</c> first), or -1. System.Text.Json reads past such a string and throws only when a route asks for its
    /// text, so it is refused here, once for every route. Outside strings a backslash is a syntax error that the parser
    /// reports, so the scan need not know where strings begin: it only steps over each escape whole.
    /// </summary>
    internal static int UnpairedSurrogateEscape(ReadOnlySpan<byte> json)
    {
        var offset = 0;
        while (true)
        {
            var found = json[offset..].IndexOf((byte)'\\');
            if (found < 0)
            {
                return -1;
            }

            var at = offset + found;
            if (!TryReadEscapedUnit(json, at, out var unit))
            {
                offset = at + 2;
            }
            else if (unit is < 0xD800 or > 0xDFFF)
            {
                offset = at + 6;
            }
            else if (unit <= 0xDBFF && TryReadEscapedUnit(json, at + 6, out var low) && low is >= 0xDC00 and <= 0xDFFF)
            {
                offset = at + 12;
            }
            else
            {
                return at;
            }

            if (offset >= json.Length)
            {
                return -1;
            }
        }
    }

    private static bool TryReadEscapedUnit(ReadOnlySpan<byte> json, int at, out int unit)
    {
        unit = 0;
        return at + 6 <= json.Length
            && json[at] == (byte)'\\'
            && json[at + 1] == (byte)'u'
            && int.TryParse(json.Slice(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out unit);
    }

    /// <summary>
    /// A body compressed as <c>Content-Encoding</c> says (<c>tritonclient.http</c>'s <c>request_compression_algorithm</c>),
    /// decompressed under the same limit as a plain one, so that a small body cannot expand past it.
    /// </summary>
    private static async ValueTask<RequestBody> ReadEncodedAsync(HttpContext context, BodyLimit limit, string encoding)
    {
        var body = context.Request.Body;
        await using Stream decoder = encoding.ToLowerInvariant() switch
        {
            "gzip" or "x-gzip" => new GZipStream(body, CompressionMode.Decompress, leaveOpen: true),

            // HTTP's deflate is zlib's format (RFC 9110 8.4.1.2), which is what zlib.compress and Triton produce.
            "deflate" => new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true),
            "br" => new BrotliStream(body, CompressionMode.Decompress, leaveOpen: true),
            _ => throw new HttpError(StatusCodes.Status415UnsupportedMediaType, $"Content-Encoding '{encoding}' is not supported; send gzip, deflate or br, or leave the body uncompressed"),
        };

        var buffer = TensorBuffers.Rent(64 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit.Bytes)
                    {
                        throw limit.TooLarge();
                    }

                    // Never more than one byte past the limit: a body that expands beyond it is refused as soon as
                    // that byte arrives, so a small compressed body cannot make the server hold twice the limit.
                    var larger = TensorBuffers.Rent((int)Math.Min(Math.Min((long)buffer.Length * 2, limit.Bytes + 1), Array.MaxLength));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    TensorBuffers.Return(buffer);
                    buffer = larger;
                }

                var read = await decoder.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > limit.Bytes)
            {
                throw limit.TooLarge();
            }

            var result = new RequestBody(buffer, length);
            buffer = null;
            return result;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw limit.TooLarge();
        }
        catch (Exception ex) when (IsDecodingError(ex, decoder))
        {
            throw new HttpError(StatusCodes.Status400BadRequest, $"the request body is not valid {encoding} data, as its Content-Encoding says: {ex.Message}");
        }
        finally
        {
            if (buffer is not null)
            {
                TensorBuffers.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Whether the decoder refused the data. Most of zlib's refusals are <see cref="InvalidDataException"/>, but some
    /// codes (Z_NEED_DICT, for a zlib header that asks for a preset dictionary) come as a bare <see cref="IOException"/>;
    /// the request body's own I/O errors (the client going away, Kestrel's limits) are not the data's fault.
    /// </summary>
    private static bool IsDecodingError(Exception ex, Stream decoder) => ex switch
    {
        InvalidDataException => true,
        InvalidOperationException => decoder is BrotliStream,
        BadHttpRequestException or Microsoft.AspNetCore.Connections.ConnectionResetException => false,
        IOException => decoder is not BrotliStream,
        _ => false,
    };

    private static HttpError NotUtf8(ReadOnlySpan<byte> json)
    {
        var offset = 0;
        while (Rune.DecodeFromUtf8(json[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return new HttpError(
            StatusCodes.Status400BadRequest,
            $"the request body is not UTF-8: byte {offset + 1} (0x{json[offset]:X2}) does not begin a valid UTF-8 character; JSON must be sent as UTF-8");
    }

    private static void CheckContentType(string? contentType, bool binaryAllowed)
    {
        // The common case, compared before any parsing so that it costs no allocation.
        if (string.IsNullOrEmpty(contentType)
            || contentType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.Equals("application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            throw new HttpError(StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{contentType}' is not a media type; send application/json");
        }

        var type = media.MediaType.AsSpan();
        if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (binaryAllowed && type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        // The labels of a client that did not choose one: `curl -d` and libcurl's POSTFIELDS (Triton's C++ client) say
        // form, many HTTP libraries say text/plain for a string. Triton, TF Serving and KServe read such a body as
        // JSON, and so does Modelhost; from a browser, ContentTypeGuardMiddleware has already refused them.
        if (type.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) || type.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        throw new HttpError(StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{media.MediaType}' is not supported; send application/json");
    }
}
