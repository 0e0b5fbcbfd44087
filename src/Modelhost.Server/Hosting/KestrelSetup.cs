using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Modelhost.Server.Configuration;

namespace Modelhost.Server.Hosting;

/// <summary>Kestrel's side of the limits and TLS: connection and header limits, the slow-body rate, HTTPS from PEM files.</summary>
internal static class KestrelSetup
{
    /// <summary>Checks the TLS settings against the URLs and loads the certificate; null when TLS is off.</summary>
    /// <exception cref="ServerConfigException">An https URL without tls, or a certificate or key that cannot be used.</exception>
    public static X509Certificate2? LoadCertificate(ServerOptions options)
    {
        var tls = options.Tls;
        if (tls is null)
        {
            foreach (var url in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ServerConfigException($"urls: '{url}' is HTTPS but tls is not set; add tls: {{cert: cert.pem, key: key.pem}} to the config file");
                }
            }

            foreach (var url in options.Grpc.Enabled ? options.Grpc.UrlList() : [])
            {
                if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ServerConfigException($"grpc.urls: '{url}' is HTTPS but tls is not set; add tls: {{cert: cert.pem, key: key.pem}} to the config file");
                }
            }

            return null;
        }

        CheckReadable(tls.CertificatePath, "tls.cert");
        CheckReadable(tls.KeyPath, "tls.key");
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath);
        }
        catch (CryptographicException ex)
        {
            throw new ServerConfigException(HoldsCertificate(tls.CertificatePath)
                ? $"tls.key: '{tls.KeyPath}' is not the private key of the certificate in tls.cert ({ex.Message})"
                : $"tls.cert: '{tls.CertificatePath}' holds no PEM certificate ({ex.Message})");
        }
        catch (ArgumentException ex)
        {
            throw new ServerConfigException($"tls.key: '{tls.KeyPath}' holds no usable PEM private key ({ex.Message})");
        }

        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use the ephemeral key that a PEM file gives; a PKCS#12 round trip persists it.
            using (certificate)
            {
                return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
            }
        }

        return certificate;
    }

    /// <summary>
    /// Applies the limits and, with a certificate, HTTPS with HTTP/1.1 and HTTP/2 (ALPN); with <paramref name="grpc"/>,
    /// names the HTTP and gRPC endpoints one by one.
    /// </summary>
    public static void Configure(IWebHostBuilder webHost, ServerOptions options, Grpc.GrpcListeners? grpc = null)
    {
        var certificate = LoadCertificate(options);
        if (certificate is not null)
        {
            // The slim builder leaves HTTPS out until asked.
            webHost.UseKestrelHttpsConfiguration();
        }

        // Kestrel's default waits for a zero-byte receive before each read, so that an idle connection holds no buffer:
        // two recvfrom calls per 4 KiB block of a request body. Reading straight into a block holds one 4 KiB block
        // per open connection instead (4 MiB at the default limits.max_connections), and took 10-20% off the server's
        // CPU per 128 KiB HTTP binary call and 3-10% per one-row JSON call (bench/RESULTS.md, "Reading into a buffer
        // at once", issue 15).
        webHost.UseSockets(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);

        var limits = options.Limits;
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeaderBytes;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limits.MaxConnections;
            kestrel.Limits.MinRequestBodyDataRate = limits.MinRequestBodyRateBytesPerSecond > 0
                ? new MinDataRate(limits.MinRequestBodyRateBytesPerSecond, limits.MinRequestBodyRateGrace)
                : null;
            // HTTP/2 needs TLS here (no cleartext prior knowledge on the HTTP ports): without a certificate there is none,
            // and Kestrel warned at every start that it would not offer HTTP/2.
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2);
            if (certificate is not null)
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }

            // After the HTTPS defaults, which an https endpoint takes when it is named.
            grpc?.Listen(kestrel, options);
        });
    }

    private static void CheckReadable(string path, string key)
    {
        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ServerConfigException($"{key}: cannot read '{path}': {ex.Message}");
        }
    }

    private static bool HoldsCertificate(string path)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
