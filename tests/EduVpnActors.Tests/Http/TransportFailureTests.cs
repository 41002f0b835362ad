using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Localization;
using EduVpnActors.Messages.Errors;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Http;

/// <summary>
/// Issue 12 §7: what stopped a request is told apart ("connection refused", "host name not found",
/// "certificate not trusted" by name, issuer or expiry, "TLS handshake failed"), in the engine's own
/// words: no runtime text such as "see inner exception" reaches a message.
/// </summary>
public sealed class TransportFailureTests
{
    private static readonly HttpPolicy Policy = TestCertificate.TrustingPolicy() with { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task ConnectionRefused()
    {
        var error = await FailAsync(new EngineHttpClient(Policy), new Uri($"https://127.0.0.1:{ClosedPort()}/x"));

        AssertFailure(error, HttpErrorKind.Network, TransportFailureKind.ConnectionRefused, "connection refused");
    }

    [Fact]
    public async Task HostNameNotFound()
    {
        // .invalid never resolves (RFC 6761).
        var error = await FailAsync(new EngineHttpClient(Policy with { Timeout = TimeSpan.FromSeconds(60) }), new Uri("https://no-such-host.invalid/x"));

        AssertFailure(error, HttpErrorKind.Network, TransportFailureKind.HostNotFound, "host name not found");
    }

    [Fact]
    public async Task CertificateForAnotherName()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Task.CompletedTask, certificate: TestCertificate.WrongHostCertificate);
        // Its own certificate trusted as the root: only the name can be wrong.
        var error = await FailAsync(new EngineHttpClient(TestCertificate.TrustingPolicy(TestCertificate.WrongHostCertificate)), server.Url("x"));

        AssertFailure(error, HttpErrorKind.Tls, TransportFailureKind.CertificateNameMismatch, "certificate not trusted (issued for another name)");
    }

    [Fact]
    public async Task CertificateOfAnUntrustedIssuer()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Task.CompletedTask);

        var error = await FailAsync(new EngineHttpClient(new HttpPolicy()), server.Url("x"));

        AssertFailure(error, HttpErrorKind.Tls, TransportFailureKind.CertificateUntrusted, "certificate not trusted (issuer not trusted)");
    }

    [Fact]
    public async Task CertificateExpired()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Task.CompletedTask, certificate: TestCertificate.ExpiredCertificate);
        // Trusted as a root: only its dates are wrong.
        var error = await FailAsync(new EngineHttpClient(TestCertificate.TrustingPolicy(TestCertificate.ExpiredCertificate)), server.Url("x"));

        AssertFailure(error, HttpErrorKind.Tls, TransportFailureKind.CertificateExpired, "certificate not trusted (expired or not yet valid)");
    }

    [Fact]
    public async Task HandshakeAnsweredWithGarbage_TlsHandshakeFailed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptTcpClientAsync();
            await peer.GetStream().WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
            await Task.Delay(500);
        });

        var error = await FailAsync(new EngineHttpClient(Policy), new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/x"));
        await serving;

        AssertFailure(error, HttpErrorKind.Tls, TransportFailureKind.TlsHandshakeFailed, "TLS handshake failed");
    }

    [Fact]
    public void EveryKind_HasItsOwnSentence_InEnglishDutchAndGerman()
    {
        foreach (var language in new[] { "en", "nl", "de" })
        {
            var texts = Enum.GetValues<TransportFailureKind>().Select(k => ErrorTexts.For(k, CultureInfo.GetCultureInfo(language))).ToArray();
            Assert.Equal(texts.Length, texts.Distinct(StringComparer.Ordinal).Count());
        }
        Assert.Equal("De server weigerde de verbinding: op dat adres en die poort antwoordt niets.",
            ErrorTexts.For(TransportFailureKind.ConnectionRefused, CultureInfo.GetCultureInfo("nl")));
    }

    private static async Task<EngineHttpException> FailAsync(EngineHttpClient client, Uri url)
    {
        using (client)
        {
            return await Assert.ThrowsAsync<EngineHttpException>(() => client.GetAsync(url, CancellationToken.None));
        }
    }

    private static void AssertFailure(EngineHttpException error, HttpErrorKind kind, TransportFailureKind transport, string said)
    {
        Assert.Equal(kind, error.Kind);
        Assert.Equal(transport, error.Transport);
        Assert.EndsWith($": {said}.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("inner exception", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("An error occurred", error.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
