using Akka.Configuration;

namespace EduVpnActors.Actors.ProxyGuard;

/// <summary>Time-outs, back-off and queue size of every ProxyGuard proxy, from <c>eduvpn.proxyguard</c> (hocon/proxyguard.conf).</summary>
/// <param name="ConnectTimeout">Per peer address: how long the TCP connect may take (reference: 10 s).</param>
/// <param name="HandshakeTimeout">TLS handshake plus HTTP upgrade, together (reference: TLS 10 s, the answer unbounded).</param>
/// <param name="ReadTimeout">No byte from the server for this long ends the attempt (reference: 60 s).</param>
/// <param name="ResolveTimeout">Resolving the peer host at set-up.</param>
/// <param name="Backoff">The back-off table (reference: 1, 2, 4, 8, 10 s).</param>
/// <param name="BackoffResetAfter">An attempt at least this long starts the table over (reference: 10 s).</param>
/// <param name="MaxConsecutiveTlsFailures">TLS failures in a row before the tunnel fails; 0 retries forever (the reference).</param>
/// <param name="QueueBytes">Framed WireGuard bytes held while the server is slower or a connection is made again.</param>
/// <param name="TcpKeepAlive">TCP keep-alive idle time and interval (Go's default: 15 s).</param>
public sealed record ProxyGuardSettings(
    TimeSpan ConnectTimeout,
    TimeSpan HandshakeTimeout,
    TimeSpan ReadTimeout,
    TimeSpan ResolveTimeout,
    IReadOnlyList<TimeSpan> Backoff,
    TimeSpan BackoffResetAfter,
    int MaxConsecutiveTlsFailures,
    int QueueBytes,
    TimeSpan TcpKeepAlive)
{
    /// <summary>The reference's numbers, with a 10 s deadline on the handshake and 5 TLS failures at most.</summary>
    public static ProxyGuardSettings Default { get; } = new(
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(60),
        TimeSpan.FromSeconds(10),
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10)],
        TimeSpan.FromSeconds(10),
        5,
        256 * 1024,
        TimeSpan.FromSeconds(15));

    /// <summary>Reads <c>eduvpn.proxyguard</c>; missing keys keep <see cref="Default"/>.</summary>
    /// <exception cref="ConfigurationException">A value out of range.</exception>
    public static ProxyGuardSettings FromConfig(Config config)
    {
        var section = config.GetConfig("eduvpn.proxyguard");
        if (section is null || section.IsEmpty)
        {
            return Default;
        }
        var d = Default;
        var backoff = section.HasPath("backoff")
            ? section.GetValue("backoff").GetArray().Select(v => v.GetTimeSpan()).ToArray()
            : d.Backoff;
        var settings = new ProxyGuardSettings(
            section.GetTimeSpan("connect-timeout", d.ConnectTimeout),
            section.GetTimeSpan("handshake-timeout", d.HandshakeTimeout),
            section.GetTimeSpan("read-timeout", d.ReadTimeout),
            section.GetTimeSpan("resolve-timeout", d.ResolveTimeout),
            backoff,
            section.GetTimeSpan("backoff-reset-after", d.BackoffResetAfter),
            section.GetInt("max-consecutive-tls-failures", d.MaxConsecutiveTlsFailures),
            section.GetInt("queue-bytes", d.QueueBytes),
            section.GetTimeSpan("tcp-keepalive", d.TcpKeepAlive));
        settings.Validate();
        return settings;
    }

    /// <summary>Throws <see cref="ConfigurationException"/> for a value no proxy can run with.</summary>
    public void Validate()
    {
        Positive(ConnectTimeout, "connect-timeout");
        Positive(HandshakeTimeout, "handshake-timeout");
        Positive(ReadTimeout, "read-timeout");
        Positive(ResolveTimeout, "resolve-timeout");
        Positive(TcpKeepAlive, "tcp-keepalive");
        if (Backoff.Count == 0 || Backoff.Any(t => t < TimeSpan.Zero))
        {
            throw new ConfigurationException("eduvpn.proxyguard.backoff must list at least one duration, none negative.");
        }
        if (MaxConsecutiveTlsFailures < 0)
        {
            throw new ConfigurationException("eduvpn.proxyguard.max-consecutive-tls-failures must be 0 (no limit) or more.");
        }
        if (QueueBytes < Framing.UoTlv.HeaderLength + Framing.UoTlv.MaxSendPayload)
        {
            throw new ConfigurationException("eduvpn.proxyguard.queue-bytes must hold at least one largest frame (65536 bytes).");
        }
    }

    private static void Positive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"eduvpn.proxyguard.{key} must be positive.");
        }
    }
}
