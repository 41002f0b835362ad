using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;

namespace EduVpnActors.Actors.Http;

/// <summary>The rules every engine HTTP request follows (configured under <c>eduvpn.http</c>).</summary>
public sealed record HttpPolicy
{
    /// <summary>Time-out of one request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Time-out of the best-effort <c>/disconnect</c> call.</summary>
    public TimeSpan DisconnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>The largest response body read.</summary>
    public long MaxResponseBytes { get; init; } = 16 * 1024 * 1024;
    /// <summary>How many redirects are followed.</summary>
    public int MaxRedirects { get; init; } = 10;
    /// <summary>The lowest TLS version accepted.</summary>
    public SslProtocols MinimumTls { get; init; } = SslProtocols.Tls12;
    /// <summary>The User-Agent header of every request.</summary>
    public string UserAgent { get; init; } = $"{Sessions.ClientIdentity.LibraryName}/{Sessions.ClientIdentity.LibraryVersion}";

    /// <summary>An extra certificate to trust as a root (private CA, test server); host names are still checked.</summary>
    public X509Certificate2? ExtraTrustedCertificate { get; init; }

    /// <summary>The TLS versions offered, from <see cref="MinimumTls"/> up.</summary>
    public SslProtocols EnabledProtocols => MinimumTls == SslProtocols.Tls13 ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Reads <c>eduvpn.http</c>.</summary>
    public static HttpPolicy FromConfig(Config config, string userAgent)
    {
        var http = config.GetConfig("eduvpn.http");
        var certPath = http.GetString("extra-trusted-certificate", "");
        return new HttpPolicy
        {
            Timeout = http.GetTimeSpan("timeout", TimeSpan.FromSeconds(10)),
            DisconnectTimeout = http.GetTimeSpan("disconnect-timeout", TimeSpan.FromSeconds(5)),
            MaxResponseBytes = http.GetLong("max-response-bytes", 16 * 1024 * 1024),
            MaxRedirects = http.GetInt("max-redirects", 10),
            MinimumTls = http.GetString("minimum-tls", "tls12").ToLowerInvariant() switch
            {
                "tls13" => SslProtocols.Tls13,
                "tls12" => SslProtocols.Tls12,
                var other => throw new ConfigurationException($"eduvpn.http.minimum-tls must be tls12 or tls13, not '{other}'."),
            },
            UserAgent = userAgent,
            // Reads a certificate-only PEM or DER file (no private key needed or wanted).
            ExtraTrustedCertificate = string.IsNullOrWhiteSpace(certPath) ? null : X509CertificateLoader.LoadCertificateFromFile(certPath),
        };
    }
}
