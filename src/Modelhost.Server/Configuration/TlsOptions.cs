namespace Modelhost.Server.Configuration;

/// <summary>HTTPS from PEM files (<c>tls: {cert, key}</c> in the config file); <c>https://</c> URLs need it.</summary>
public sealed class TlsOptions
{
    /// <summary>The config file's section name.</summary>
    public const string Section = "tls";

    /// <summary>The certificate (chain) in PEM, leaf first.</summary>
    public required string CertificatePath { get; init; }

    /// <summary>The certificate's private key in PEM, unencrypted.</summary>
    public required string KeyPath { get; init; }
}
