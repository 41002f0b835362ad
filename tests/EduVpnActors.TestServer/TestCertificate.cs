using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EduVpnActors.Actors.Http;

namespace EduVpnActors.TestServer;

/// <summary>
/// Self-signed TLS certificates for the loopback test servers, created once per process.
/// <see cref="Certificate"/> is valid for <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c>;
/// <see cref="WrongHostCertificate"/> only for <c>wrong.example</c> (host-name mismatch tests).
/// </summary>
public static class TestCertificate
{
    private static readonly Lazy<X509Certificate2> Valid = new(() =>
        Create("localhost", san =>
        {
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            san.AddIpAddress(IPAddress.IPv6Loopback);
        }));

    private static readonly Lazy<X509Certificate2> WrongHost = new(() =>
        Create("wrong.example", san => san.AddDnsName("wrong.example")));

    private static readonly Lazy<X509Certificate2> Expired = new(() =>
        Create("localhost", san =>
        {
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
        }, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1)));

    private static readonly Lazy<string> Pem = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"eduvpn-test-cert-{Environment.ProcessId}-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, Valid.Value.ExportCertificatePem());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    });

    /// <summary>The server certificate of every test server (with private key).</summary>
    public static X509Certificate2 Certificate => Valid.Value;

    /// <summary>A self-signed certificate whose only name is DNS <c>wrong.example</c>.</summary>
    public static X509Certificate2 WrongHostCertificate => WrongHost.Value;

    /// <summary>A self-signed certificate for <c>localhost</c> and <c>127.0.0.1</c> that expired yesterday.</summary>
    public static X509Certificate2 ExpiredCertificate => Expired.Value;

    /// <summary>
    /// A temp file with the public PEM of <see cref="Certificate"/>, for
    /// <c>eduvpn.http.extra-trusted-certificate</c>.
    /// </summary>
    public static string PemPath => Pem.Value;

    /// <summary>The public part only (no private key), as an engine would load it from <see cref="PemPath"/>.</summary>
    public static X509Certificate2 PublicCertificate(X509Certificate2? certificate = null) =>
        X509CertificateLoader.LoadCertificate((certificate ?? Certificate).RawData);

    /// <summary>An engine HTTP policy that trusts <paramref name="trusted"/> (default: <see cref="Certificate"/>) as an extra root.</summary>
    public static HttpPolicy TrustingPolicy(X509Certificate2? trusted = null) =>
        new() { ExtraTrustedCertificate = PublicCertificate(trusted) };

    /// <summary>True when <paramref name="presented"/> is exactly <see cref="Certificate"/> (for HttpClient validation callbacks).</summary>
    public static bool IsTestCertificate(X509Certificate? presented) =>
        presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(Certificate.RawData);

    /// <summary>An HttpClient handler that trusts only <see cref="Certificate"/>.</summary>
    public static SocketsHttpHandler CreateTrustingHandler() => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => IsTestCertificate(cert) },
    };

    private static X509Certificate2 Create(string commonName, Action<SubjectAlternativeNameBuilder> names, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        names(san);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ephemeral = request.CreateSelfSigned(notBefore ?? now.AddDays(-1), notAfter ?? now.AddYears(1));
        // Re-import through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }
}
