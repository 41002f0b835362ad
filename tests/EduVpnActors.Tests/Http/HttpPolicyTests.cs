using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Errors;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Http;

/// <summary><c>eduvpn.http</c> read from the HOCON, and the TLS floor it sets, against a real TLS peer.</summary>
public sealed class HttpPolicyTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var policy = HttpPolicy.FromConfig(EngineConfiguration.Defaults(), "ua");

        Assert.Equal(TimeSpan.FromSeconds(10), policy.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), policy.DisconnectTimeout);
        Assert.Equal(16L * 1024 * 1024, policy.MaxResponseBytes);
        Assert.Equal(SslProtocols.Tls12, policy.MinimumTls);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, policy.EnabledProtocols);
        Assert.Null(policy.ExtraTrustedCertificate);
        Assert.Equal("ua", policy.UserAgent);
    }

    [Fact]
    public void Overrides_AreRead()
    {
        var policy = Read($$"""
            eduvpn.http {
              timeout = 3s
              disconnect-timeout = 1500ms
              max-response-bytes = 1024
              max-redirects = 2
              minimum-tls = TLS13
              extra-trusted-certificate = "{{TestCertificate.PemPath}}"
            }
            """);

        Assert.Equal(TimeSpan.FromSeconds(3), policy.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), policy.DisconnectTimeout);
        Assert.Equal(1024, policy.MaxResponseBytes);
        Assert.Equal(2, policy.MaxRedirects);
        Assert.Equal(SslProtocols.Tls13, policy.EnabledProtocols);
        // A certificate-only PEM: trusted as a root, no private key read.
        Assert.NotNull(policy.ExtraTrustedCertificate);
        Assert.False(policy.ExtraTrustedCertificate!.HasPrivateKey);
    }

    [Fact]
    public void MinimumTls_Unknown_IsAConfigurationError()
    {
        var error = Assert.Throws<ConfigurationException>(() => Read("eduvpn.http.minimum-tls = ssl3"));

        Assert.Contains("tls12 or tls13", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tls12", true)]
    [InlineData("tls13", false)]
    public async Task MinimumTls_AgainstAServerThatOnlySpeaksTls12(string minimum, bool accepted)
    {
        await using var server = await Tls12OnlyServer.StartAsync();
        var policy = Read($$"""eduvpn.http { minimum-tls = {{minimum}}, timeout = 5s, extra-trusted-certificate = "{{TestCertificate.PemPath}}" }""");
        using var client = new EngineHttpClient(policy);

        var fetch = client.GetAsync(new Uri($"https://127.0.0.1:{server.Port}/x"), CancellationToken.None);

        if (accepted)
        {
            Assert.Equal("tls12", System.Text.Encoding.UTF8.GetString((await fetch).Body));
        }
        else
        {
            Assert.Equal(HttpErrorKind.Tls, (await Assert.ThrowsAsync<EngineHttpException>(() => fetch)).Kind);
        }
    }

    private static HttpPolicy Read(string hocon) =>
        HttpPolicy.FromConfig(ConfigurationFactory.ParseString(hocon).WithFallback(EngineConfiguration.Defaults()), "ua");

    /// <summary>A one-connection HTTPS peer limited to TLS 1.2 (Kestrel offers 1.3 as well).</summary>
    private sealed class Tls12OnlyServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _serving;

        private Tls12OnlyServer(TcpListener listener)
        {
            _listener = listener;
            _serving = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<Tls12OnlyServer> StartAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new Tls12OnlyServer(listener));
        }

        private async Task ServeAsync()
        {
            try
            {
                using var tcp = await _listener.AcceptTcpClientAsync();
                await using var tls = new SslStream(tcp.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = TestCertificate.Certificate,
                    EnabledSslProtocols = SslProtocols.Tls12,
                });
                var buffer = new byte[4096];
                _ = await tls.ReadAsync(buffer);
                await tls.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\ntls12"u8.ToArray());
            }
            catch (Exception e) when (e is AuthenticationException or IOException or ObjectDisposedException or SocketException)
            {
                // The client refused the handshake (the case under test) or went away.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
        }
    }
}
