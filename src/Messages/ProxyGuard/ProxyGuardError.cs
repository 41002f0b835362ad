namespace EduVpnActors.Messages.ProxyGuard;

/// <summary>
/// Why a ProxyGuard set-up, attempt or tunnel failed. Whether the tunnel retries after it is
/// <see cref="ProxyGuardError.IsFatal"/>: transport failures are retried with back-off (as the reference
/// client does), everything that shows the peer is not a ProxyGuard server, or that this machine can
/// never make the connection, ends the tunnel.
/// </summary>
public enum ProxyGuardErrorKind
{
    /// <summary>The peer URL is not an absolute http(s) URL with a host. Fatal.</summary>
    InvalidPeerUrl,
    /// <summary>A port or fwmark given by the host is out of range. Fatal.</summary>
    InvalidArgument,
    /// <summary>The request does not fit the proxy's phase (a second set-up, a tunnel before set-up, ...).</summary>
    InvalidState,
    /// <summary>The UDP listen port on 127.0.0.1 could not be bound (in use, no permission). Fatal.</summary>
    ListenPortUnavailable,
    /// <summary>The peer's host name did not resolve (or to no address) within the deadline. Fatal at set-up.</summary>
    DnsFailed,
    /// <summary>No peer address accepted the TCP connection (refused, unreachable, source port busy). Retried.</summary>
    ConnectFailed,
    /// <summary>No peer address accepted the TCP connection within the connect time-out. Retried.</summary>
    ConnectTimeout,
    /// <summary>The host's socket hook threw for every address tried. Retried.</summary>
    SocketHookFailed,
    /// <summary>A socket option the host asked for (SO_MARK) was refused, e.g. without CAP_NET_ADMIN. Fatal.</summary>
    SocketOptionRefused,
    /// <summary>
    /// The TLS handshake failed (bad certificate, no common protocol version or ALPN, reset). Retried, but
    /// only up to <c>eduvpn.proxyguard.max-consecutive-tls-failures</c> times in a row.
    /// </summary>
    TlsFailed,
    /// <summary>The TLS handshake and HTTP upgrade did not complete within the handshake time-out (a silent or dripping server). Retried.</summary>
    HandshakeTimeout,
    /// <summary>The server closed the connection (before the upgrade answer, or between frames). Retried.</summary>
    ConnectionClosed,
    /// <summary>The connection was reset or broke while reading or writing. Retried.</summary>
    ConnectionReset,
    /// <summary>The server sent nothing for the read time-out (60 s by default). Retried.</summary>
    ReadTimeout,
    /// <summary>The server closed the connection in the middle of a frame (its length announced more bytes than came). Retried.</summary>
    TruncatedFrame,
    /// <summary>The upgrade answer's status is not 101. Fatal (as in the reference).</summary>
    UnexpectedStatus,
    /// <summary>The 101 answer's <c>Connection</c> header is missing or not exactly <c>Upgrade</c>. Fatal.</summary>
    BadConnectionHeader,
    /// <summary>The 101 answer's <c>Upgrade</c> header is missing or not <c>UoTLV/1</c>. Fatal.</summary>
    BadUpgradeHeader,
    /// <summary>The answer is not HTTP/1.x (or its head is larger than 16 KiB). Fatal.</summary>
    MalformedResponse,
    /// <summary>TLS negotiated an application protocol other than <c>http/1.1</c> (only that one is offered). Fatal.</summary>
    UnexpectedAlpn,
    /// <summary>The UDP listen socket failed while the tunnel ran. Fatal.</summary>
    UdpSocketFailed,
}

/// <summary>A typed ProxyGuard failure with an English, technical text (never contains secrets).</summary>
/// <param name="Kind">The category; hosts show a translated text by kind.</param>
/// <param name="Message">What happened, in English.</param>
public sealed record ProxyGuardError(ProxyGuardErrorKind Kind, string Message)
{
    /// <summary>
    /// True for the kinds that end the tunnel at once; false for transport failures, which are retried
    /// with back-off (TLS failures only up to the configured number in a row).
    /// </summary>
    public bool IsFatal => Kind switch
    {
        ProxyGuardErrorKind.ConnectFailed
            or ProxyGuardErrorKind.ConnectTimeout
            or ProxyGuardErrorKind.SocketHookFailed
            or ProxyGuardErrorKind.TlsFailed
            or ProxyGuardErrorKind.HandshakeTimeout
            or ProxyGuardErrorKind.ConnectionClosed
            or ProxyGuardErrorKind.ConnectionReset
            or ProxyGuardErrorKind.ReadTimeout
            or ProxyGuardErrorKind.TruncatedFrame => false,
        _ => true,
    };
}
