using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Modelhost.Server.Configuration;
using Modelhost.Server.Tests.Infrastructure;

namespace Modelhost.Server.Tests.Limits;

public sealed class TlsTests : IDisposable
{
    private readonly TempRepository _repository = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("modelhost-tls-").FullName;

    public void Dispose()
    {
        _repository.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, written as cert.pem and key.pem.</summary>
    private (X509Certificate2 Certificate, TlsOptions Tls) MakeCertificate(string name = "server")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        var certPath = Path.Combine(_folder, name + "-cert.pem");
        var keyPath = Path.Combine(_folder, name + "-key.pem");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificate, new TlsOptions { CertificatePath = certPath, KeyPath = keyPath });
    }

    [Fact]
    public async Task With_tls_the_server_answers_over_HTTPS_with_HTTP_1_1_and_HTTP_2()
    {
        var (certificate, tls) = MakeCertificate();
        using (certificate)
        {
            await using var server = await StartHttpsAsync(tls);
            Assert.Equal("https", server.Address.Scheme);
            using var handler = new HttpClientHandler
            {
                // Trust exactly the test's certificate.
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
            };
            using var client = new HttpClient(handler) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
            foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/health/ready")
                {
                    Version = version,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                using var response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(version, response.Version);
            }
        }
    }

    [Fact]
    public async Task With_tls_an_https_grpc_url_serves_grpc_over_tls_on_its_own_port()
    {
        var (certificate, tls) = MakeCertificate();
        using (certificate)
        {
            await using var server = await RunningServer.StartAsync(_repository.AddIris().Root, options =>
            {
                options.Tls = tls;
                options.Grpc.Urls = "https://127.0.0.1:0";
            });
            Assert.Equal("https", server.GrpcAddress!.Scheme);
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint };
            using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(server.GrpcAddress, new global::Grpc.Net.Client.GrpcChannelOptions { HttpHandler = handler });
            var client = new Modelhost.Server.Grpc.Protocol.GRPCInferenceService.GRPCInferenceServiceClient(channel);
            Assert.True((await client.ServerLiveAsync(new Modelhost.Server.Grpc.Protocol.ServerLiveRequest())).Live);
        }
    }

    [Fact]
    public async Task An_https_grpc_url_without_tls_stops_the_server_naming_grpc_urls()
    {
        var error = await Assert.ThrowsAsync<ServerConfigException>(() => RunningServer.StartAsync(_repository.Root, options => options.Grpc.Urls = "https://127.0.0.1:0"));
        Assert.StartsWith("grpc.urls: 'https://127.0.0.1:0' is HTTPS but tls is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_certificate_is_refused()
    {
        var (certificate, tls) = MakeCertificate();
        using (certificate)
        {
            await using var server = await StartHttpsAsync(tls);
            using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/v2/health/live"));
        }
    }

    [Fact]
    public async Task An_https_url_without_tls_stops_the_server_naming_tls()
    {
        var error = await Assert.ThrowsAsync<ServerConfigException>(() => RunningServer.StartAsync(_repository.Root, options => options.Urls = "https://127.0.0.1:0"));
        Assert.Contains("tls", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_certificate_file_stops_the_server_naming_tls_cert()
    {
        var (certificate, tls) = MakeCertificate();
        certificate.Dispose();
        var missing = new TlsOptions { CertificatePath = Path.Combine(_folder, "nothing.pem"), KeyPath = tls.KeyPath };
        var error = await Assert.ThrowsAsync<ServerConfigException>(() => StartHttpsAsync(missing));
        Assert.Contains("tls.cert", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_key_file_stops_the_server_naming_tls_key()
    {
        var (certificate, tls) = MakeCertificate();
        certificate.Dispose();
        var missing = new TlsOptions { CertificatePath = tls.CertificatePath, KeyPath = Path.Combine(_folder, "nothing.pem") };
        var error = await Assert.ThrowsAsync<ServerConfigException>(() => StartHttpsAsync(missing));
        Assert.Contains("tls.key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_does_not_match_the_certificate_stops_the_server_naming_tls_key()
    {
        var (first, tls) = MakeCertificate("first");
        var (second, other) = MakeCertificate("second");
        first.Dispose();
        second.Dispose();
        var mismatched = new TlsOptions { CertificatePath = tls.CertificatePath, KeyPath = other.KeyPath };
        var error = await Assert.ThrowsAsync<ServerConfigException>(() => StartHttpsAsync(mismatched));
        Assert.Contains("tls.key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_file_without_a_certificate_stops_the_server_naming_tls_cert()
    {
        var (certificate, tls) = MakeCertificate();
        certificate.Dispose();
        var notPem = new TlsOptions { CertificatePath = tls.KeyPath, KeyPath = tls.KeyPath };
        var error = await Assert.ThrowsAsync<ServerConfigException>(() => StartHttpsAsync(notPem));
        Assert.Contains("tls.cert", error.Message, StringComparison.Ordinal);
    }

    private async Task<RunningServer> StartHttpsAsync(TlsOptions tls) =>
        await RunningServer.StartAsync(_repository.Root, options =>
        {
            options.Urls = "https://127.0.0.1:0";
            options.Tls = tls;
        });
}
