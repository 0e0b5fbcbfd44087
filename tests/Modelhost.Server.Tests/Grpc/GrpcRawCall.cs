using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Modelhost.Server.Tests.Grpc;

/// <summary>
/// A unary gRPC call made by hand over HTTP/2 (no gRPC client library), to see exactly what the server put on the
/// wire: the HTTP status, the content type and grpc-status/grpc-message wherever they came (headers of a trailers-only
/// answer, or trailers), and to send headers a client library sets itself, such as <c>grpc-timeout</c>.
/// </summary>
public sealed record GrpcRawCall(HttpStatusCode HttpStatus, string? ContentType, int? GrpcStatus, string? GrpcMessage, string? RetryPushbackMs)
{
    public static Task<GrpcRawCall> SendAsync(Uri address, string method, IMessage request, params (string Name, string Value)[] headers) =>
        SendAsync(address, method, request.ToByteArray(), headers);

    /// <summary>Sends <paramref name="payload"/> as the call's one message, whatever its bytes: valid protobuf or not.</summary>
    public static async Task<GrpcRawCall> SendAsync(Uri address, string method, byte[] payload, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(60) };
        return await SendAsync(http, address, method, payload, headers);
    }

    /// <summary>The same over <paramref name="http"/>, for tests that make many calls on one connection.</summary>
    public static Task<GrpcRawCall> SendAsync(HttpClient http, Uri address, string method, byte[] payload, params (string Name, string Value)[] headers) =>
        SendAsync(http, address, method, payload, compressed: false, headers);

    /// <summary>
    /// Sends <paramref name="gzip"/> as the call's one message with the frame's compressed flag set and
    /// <c>grpc-encoding: gzip</c>, whatever its bytes: gzip of valid protobuf or not.
    /// </summary>
    public static Task<GrpcRawCall> SendGzipAsync(HttpClient http, Uri address, string method, byte[] gzip) =>
        SendAsync(http, address, method, gzip, compressed: true, ("grpc-encoding", "gzip"));

    private static async Task<GrpcRawCall> SendAsync(HttpClient http, Uri address, string method, byte[] payload, bool compressed, params (string Name, string Value)[] headers)
    {
        var body = new byte[5 + payload.Length];
        body[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(body, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(address, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        foreach (var (name, value) in headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(message);
        _ = await response.Content.ReadAsByteArrayAsync();
        string? Find(string name) =>
            response.Headers.TryGetValues(name, out var values) || response.TrailingHeaders.TryGetValues(name, out values) ? values.First() : null;
        var status = Find("grpc-status");
        var text = Find("grpc-message");
        return new GrpcRawCall(
            response.StatusCode,
            response.Content.Headers.ContentType?.MediaType,
            status is null ? null : int.Parse(status, System.Globalization.CultureInfo.InvariantCulture),
            text is null ? null : Uri.UnescapeDataString(text),
            Find("grpc-retry-pushback-ms"));
    }
}
