namespace EduVpnActors.Messages.Errors;

/// <summary>
/// What exactly stopped a request below HTTP: the detail of <see cref="HttpErrorKind.Network"/> and
/// <see cref="HttpErrorKind.Tls"/>, so the user is told "connection refused" rather than "could not connect".
/// </summary>
public enum TransportFailureKind
{
    /// <summary>Nothing accepted the connection at that address and port.</summary>
    ConnectionRefused,
    /// <summary>The host name does not resolve (DNS).</summary>
    HostNotFound,
    /// <summary>No route to the server's network or host.</summary>
    NetworkUnreachable,
    /// <summary>The connection was reset or closed before the answer was complete.</summary>
    ConnectionLost,
    /// <summary>The server's certificate is for another name.</summary>
    CertificateNameMismatch,
    /// <summary>The server's certificate does not chain to a trusted issuer (self-signed, unknown or revoked).</summary>
    CertificateUntrusted,
    /// <summary>The server's certificate has expired or is not valid yet.</summary>
    CertificateExpired,
    /// <summary>The TLS handshake failed otherwise (no common protocol version or cipher, the server broke it off).</summary>
    TlsHandshakeFailed,
}
