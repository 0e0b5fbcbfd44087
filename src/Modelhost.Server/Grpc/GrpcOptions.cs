namespace Modelhost.Server.Grpc;

/// <summary>The gRPC endpoint (<c>grpc:</c> in the server config, <c>--grpc-urls</c>): its own port, HTTP/2 only.</summary>
public sealed class GrpcOptions
{
    /// <summary>The default address: loopback, port 8081 (Triton uses 8001).</summary>
    public const string DefaultUrls = "http://127.0.0.1:8081";

    /// <summary>
    /// The URLs the gRPC service listens on, separated by ';'; <c>https://</c> ones use the server's <c>tls:</c>
    /// certificate. Empty turns the gRPC endpoint off.
    /// </summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>The largest request message accepted, in bytes (a larger one is RESOURCE_EXHAUSTED).</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The largest response message sent, in bytes; null for no limit.</summary>
    public int? MaxSendMessageBytes { get; set; }

    /// <summary>Whether the endpoint is on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Urls);

    /// <summary>The URLs one by one.</summary>
    public string[] UrlList() => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
