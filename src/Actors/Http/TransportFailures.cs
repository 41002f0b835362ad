using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using EduVpnActors.Messages.Errors;

namespace EduVpnActors.Actors.Http;

/// <summary>
/// Tells transport failures apart (refused, host not found, certificate name / issuer / expiry, handshake),
/// in the engine's own words: .NET's texts ("see inner exception") never reach a message. The certificate
/// check runs here too, so the reason it refuses a certificate travels with the failure.
/// </summary>
public static class TransportFailures
{
    private const string ReasonKey = "EduVpnActors.TransportFailure";

    /// <summary>
    /// The TLS certificate check of every engine request: the platform's verdict, except that an unknown root
    /// is forgiven when the chain ends in <paramref name="extraRoot"/> (host names are always checked). A refusal
    /// throws an <see cref="AuthenticationException"/> that names the reason (<see cref="Of"/> reads it).
    /// </summary>
    /// <exception cref="AuthenticationException">The certificate is refused.</exception>
    public static bool CheckCertificate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2? extraRoot)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        TransportFailureKind reason;
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reason = TransportFailureKind.TlsHandshakeFailed;
        }
        else if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reason = TransportFailureKind.CertificateNameMismatch;
        }
        else
        {
            var statuses = chain?.ChainStatus.Select(s => s.Status).ToArray() ?? [];
            if (extraRoot is not null)
            {
                // Only an unknown root may be forgiven, and only when the chain ends in the configured certificate.
                using var custom = new X509Chain();
                custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                custom.ChainPolicy.CustomTrustStore.Add(extraRoot);
                custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var leaf = new X509Certificate2(certificate);
                if (custom.Build(leaf))
                {
                    return true;
                }
                statuses = [.. custom.ChainStatus.Select(s => s.Status)];
            }
            // Expired only when that is all that is wrong: an untrusted issuer is the more basic refusal.
            reason = statuses.Length > 0 && statuses.All(s => s is X509ChainStatusFlags.NotTimeValid or X509ChainStatusFlags.NotTimeNested or X509ChainStatusFlags.NoError)
                ? TransportFailureKind.CertificateExpired
                : TransportFailureKind.CertificateUntrusted;
        }
        var refusal = new AuthenticationException($"The server's certificate was refused: {Describe(reason)}.");
        refusal.Data[ReasonKey] = reason;
        throw refusal;
    }

    /// <summary>What stopped a request, from the exception the runtime threw (null when it does not say).</summary>
    public static TransportFailureKind? Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AuthenticationException auth:
                    return auth.Data[ReasonKey] as TransportFailureKind? ?? TransportFailureKind.TlsHandshakeFailed;
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }:
                    return TransportFailureKind.HostNotFound;
                case HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } when e.InnerException is not AuthenticationException:
                    return TransportFailureKind.TlsHandshakeFailed;
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }:
                    return TransportFailureKind.ConnectionLost;
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => TransportFailureKind.ConnectionRefused,
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => TransportFailureKind.HostNotFound,
                        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown => TransportFailureKind.NetworkUnreachable,
                        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => TransportFailureKind.ConnectionLost,
                        _ => null,
                    };
            }
        }
        // An I/O failure after the connection stood (a reset or early end while reading) is a lost connection.
        return exception is IOException || exception.InnerException is IOException ? TransportFailureKind.ConnectionLost : null;
    }

    /// <summary>A short English description for logs and technical messages ("connection refused").</summary>
    public static string Describe(TransportFailureKind kind) => kind switch
    {
        TransportFailureKind.ConnectionRefused => "connection refused",
        TransportFailureKind.HostNotFound => "host name not found",
        TransportFailureKind.NetworkUnreachable => "network unreachable",
        TransportFailureKind.ConnectionLost => "connection lost",
        TransportFailureKind.CertificateNameMismatch => "certificate not trusted (issued for another name)",
        TransportFailureKind.CertificateUntrusted => "certificate not trusted (issuer not trusted)",
        TransportFailureKind.CertificateExpired => "certificate not trusted (expired or not yet valid)",
        TransportFailureKind.TlsHandshakeFailed => "TLS handshake failed",
        _ => "transport failure",
    };
}
