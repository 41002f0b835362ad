using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.ProxyGuard.Framing;
using EduVpnActors.Actors.ProxyGuard.Handshake;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard.Transport;

/// <summary>
/// TLS and the HTTP/1.1 upgrade on a connected socket (proxyguard.md §2), all within one deadline:
/// TLS 1.3 at least, SNI the URL host, ALPN <c>http/1.1</c> only, the request, then the answer checked
/// by <see cref="UpgradeResponse"/>. Bytes after the answer's blank line stay in the reader as frames.
/// </summary>
internal static class UpgradeClient
{
    /// <summary>The upgraded stream (it owns the socket).</summary>
    /// <exception cref="ProxyGuardException">Typed: a timeout, TLS or transport failure (retried) or a refused upgrade (fatal).</exception>
    public static async Task<Stream> OpenAsync(Socket socket, ProxyGuardPeer peer, byte[] request, X509Certificate2? extraRoot,
        UoTlvReader reader, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            if (peer.UseTls)
            {
                stream = await AuthenticateAsync(stream, peer, extraRoot, deadline.Token).ConfigureAwait(false);
            }
            await stream.WriteAsync(request, deadline.Token).ConfigureAwait(false);
            reader.Reset();
            while (true)
            {
                var read = await stream.ReadAsync(reader.FreeMemory, deadline.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new ProxyGuardException(ProxyGuardErrorKind.ConnectionClosed,
                        reader.Buffered == 0 ? "the server closed the connection without answering the upgrade" : "the server closed the connection in the middle of its answer");
                }
                reader.Commit(read);
                var answer = UpgradeResponse.Parse(reader.BufferedSpan);
                switch (answer.Status)
                {
                    case UpgradeParseStatus.Upgraded:
                        reader.Skip(answer.HeadLength);
                        return stream;
                    case UpgradeParseStatus.Refused:
                        throw new ProxyGuardException(answer.Error!);
                }
            }
        }
        catch (Exception e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (e is ProxyGuardException || cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            throw Classify(e, deadline.IsCancellationRequested, timeout);
        }
    }

    private static async Task<Stream> AuthenticateAsync(Stream network, ProxyGuardPeer peer, X509Certificate2? extraRoot, CancellationToken token)
    {
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = peer.DnsHost,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            EnabledSslProtocols = SslProtocols.Tls13,
            // Go's default: no revocation check (an OCSP fetch could go into a tunnel that is not up yet).
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (extraRoot is not null)
        {
            // The engine's one trust rule (only an unknown root may be forgiven, for the configured one); a refusal throws.
            options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => TransportFailures.CheckCertificate(certificate, chain, errors, extraRoot);
        }
        try
        {
            await tls.AuthenticateAsClientAsync(options, token).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var alpn = tls.NegotiatedApplicationProtocol;
        if (alpn != default && alpn != SslApplicationProtocol.Http11)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new ProxyGuardException(ProxyGuardErrorKind.UnexpectedAlpn, $"the server chose the application protocol '{alpn}', only http/1.1 was offered");
        }
        return tls;
    }

    private static ProxyGuardException Classify(Exception e, bool timedOut, TimeSpan timeout) => e switch
    {
        OperationCanceledException when timedOut => new ProxyGuardException(ProxyGuardErrorKind.HandshakeTimeout,
            $"TLS and the upgrade did not complete within {timeout.TotalSeconds:0.###} s", e),
        AuthenticationException => new ProxyGuardException(ProxyGuardErrorKind.TlsFailed,
            e.InnerException is { } inner ? $"TLS failed: {e.Message} ({inner.Message})" : $"TLS failed: {e.Message}", e),
        _ => StreamFailures.Broken(e, "during the handshake"),
    };
}
