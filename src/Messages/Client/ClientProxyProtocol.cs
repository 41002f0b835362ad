using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Messages.Client;

/// <summary>
/// Sets up the ProxyGuard client of the server's WireGuard-over-TCP configuration (eduvpn-common's <c>NewProxyguard</c>):
/// the listen port on 127.0.0.1 is bound and the peer of the configuration's <c>ProxySettings</c> resolved, once. The
/// connection owns the proxy; it stops it when the tunnel is down (Disconnected, Main), when another operation starts,
/// and with the engine. Replies <see cref="ProxyGuardReady"/> (route its <c>PeerIps</c> outside the tunnel, point
/// WireGuard at its <c>ListenPort</c>), <see cref="ProxyGuardSetUpFailed"/>, or <see cref="ClientRequestFailed"/> when the
/// connection has no WireGuard-over-TCP configuration or already runs a proxy.
/// </summary>
/// <param name="RequestId">Chosen by the sender to match the reply.</param>
/// <param name="Server">The server whose configuration it carries.</param>
/// <param name="ListenPort">The UDP listen port (null: the one the configuration was rewritten for; 0: any free one).</param>
/// <param name="TcpSourcePort">The TCP source port (null: the configuration's; 0: the system chooses).</param>
/// <param name="Fwmark">SO_MARK for the TCP socket on Linux when greater than 0.</param>
/// <param name="SocketSetup">The host's hook on every TCP socket before connect (e.g. keep it out of the VPN).</param>
public sealed record SetUpServerProxy(
    string RequestId,
    ServerId Server,
    int? ListenPort = null,
    int? TcpSourcePort = null,
    int Fwmark = 0,
    ProxySocketSetup? SocketSetup = null) : IServerRequest, Akka.Actor.INoSerializationVerificationNeeded;

/// <summary>
/// Runs the set-up proxy's tunnel towards WireGuard's own UDP port (eduvpn-common's <c>ProxyguardTunnel</c>). Replies
/// <see cref="ProxyGuardTunnelStarted"/>, <see cref="ProxyGuardRequestRefused"/> or <see cref="ClientRequestFailed"/> (no proxy
/// set up); the run is followed through <see cref="ServerProxyStateChanged"/> until it fails or stops.
/// </summary>
public sealed record RunServerProxy(string RequestId, ServerId Server, int WireGuardPort) : IServerRequest;

/// <summary>Stops the server's proxy (the host's cancel); both ports are free once it stopped. Replies <see cref="OperationCancelled"/> (WasRunning: a proxy existed).</summary>
public sealed record StopServerProxy(string RequestId, ServerId Server) : IServerRequest;

/// <summary>A server's proxy changed state (published to the state subscribers, beside the connection's changes).</summary>
/// <param name="ConnectionId">The connection, as in <c>ConnectionStateChanged</c> (the server id as text).</param>
/// <param name="Server">The server whose tunnel it carries.</param>
/// <param name="ProxyId">Which of the connection's proxies (each set-up makes a new one).</param>
/// <param name="State">The proxy's phase, its last error and retry delay, its counters.</param>
/// <param name="At">When the connection heard of it.</param>
public sealed record ServerProxyStateChanged(string ConnectionId, ServerId Server, string ProxyId, ProxyGuardStateChanged State, DateTimeOffset At);
