using System.Net;
using System.Net.Sockets;
using Akka.Actor;

namespace EduVpnActors.Messages.ProxyGuard;

/// <summary>
/// Called on every TCP socket the proxy creates, once per peer address tried, after the proxy's own
/// options (source port, SO_MARK) and before connect: a host keeps the socket out of the VPN here
/// (Android <c>protect</c>, a routing mark, a bound interface). Runs on a thread-pool thread; an
/// exception fails that address (<see cref="ProxyGuardErrorKind.SocketHookFailed"/>).
/// </summary>
/// <param name="socket">The unconnected TCP socket (its <c>Handle</c> is the file descriptor).</param>
public delegate void ProxySocketSetup(Socket socket);

/// <summary>
/// Sets the proxy up (eduvpn-common's <c>NewProxyguard</c>, ProxyGuard 2.0's <c>Setup</c>): binds the UDP
/// listen socket on 127.0.0.1 and resolves the peer host to all its addresses, once. Replies
/// <see cref="ProxyGuardReady"/> or <see cref="ProxyGuardSetUpFailed"/>. Local only: the hook is a delegate.
/// </summary>
/// <param name="RequestId">Chosen by the sender to match the reply.</param>
/// <param name="Peer">The server's ProxyGuard URL (the configuration's <c>ProxyEndpoint</c>), https (or http for a bare proxyguard-server).</param>
/// <param name="ListenPort">UDP port on 127.0.0.1 WireGuard sends to (its Endpoint); 0 picks a free one.</param>
/// <param name="TcpSourcePort">Local TCP port to connect from (bound with SO_REUSEADDR); 0 lets the OS choose.</param>
/// <param name="Fwmark">SO_MARK for the TCP socket on Linux when greater than 0.</param>
/// <param name="PeerIps">The peer's addresses when the host already knows them; null resolves the URL's host.</param>
/// <param name="SocketSetup">The host's hook, called on every TCP socket before connect.</param>
public sealed record SetUpProxyGuard(
    string RequestId,
    string Peer,
    int ListenPort = 0,
    int TcpSourcePort = 0,
    int Fwmark = 0,
    IReadOnlyList<IPAddress>? PeerIps = null,
    ProxySocketSetup? SocketSetup = null) : INoSerializationVerificationNeeded;

/// <summary>The proxy is set up: WireGuard's Endpoint is 127.0.0.1:<paramref name="ListenPort"/>; route <paramref name="PeerIps"/> outside the tunnel.</summary>
/// <param name="RequestId">The set-up it answers.</param>
/// <param name="ListenPort">The bound UDP port (the free port chosen when 0 was asked).</param>
/// <param name="PeerIps">Every address the peer host resolved to, in resolver order; never looked up again.</param>
public sealed record ProxyGuardReady(string RequestId, int ListenPort, IReadOnlyList<IPAddress> PeerIps);

/// <summary>The set-up failed; nothing stays bound and the proxy may be set up again.</summary>
/// <param name="RequestId">The set-up it answers.</param>
/// <param name="Error">Why (bad URL, port in use, DNS).</param>
public sealed record ProxyGuardSetUpFailed(string RequestId, ProxyGuardError Error);

/// <summary>
/// Runs the tunnel towards WireGuard's own UDP port (eduvpn-common's <c>ProxyguardTunnel</c>): from now
/// on the proxy carries datagrams, connecting lazily on WireGuard's first one. Replies
/// <see cref="ProxyGuardTunnelStarted"/> or <see cref="ProxyGuardRequestRefused"/>; the run itself is
/// followed through <see cref="ProxyGuardStateChanged"/> until <see cref="ProxyGuardPhase.Failed"/> or <see cref="ProxyGuardPhase.Stopped"/>.
/// </summary>
/// <param name="RequestId">Chosen by the sender to match the reply.</param>
/// <param name="WireGuardPort">WireGuard's UDP listen port on 127.0.0.1; replies go there from the listen socket.</param>
public sealed record StartProxyGuardTunnel(string RequestId, int WireGuardPort);

/// <summary>The tunnel runs (waiting for WireGuard's first datagram).</summary>
/// <param name="RequestId">The request it answers.</param>
/// <param name="WireGuardPort">The port replies go to.</param>
public sealed record ProxyGuardTunnelStarted(string RequestId, int WireGuardPort);

/// <summary>A request that does not fit the proxy's phase or has bad arguments; nothing changed.</summary>
/// <param name="RequestId">The request it answers.</param>
/// <param name="Error">Why.</param>
public sealed record ProxyGuardRequestRefused(string RequestId, ProxyGuardError Error);

/// <summary>
/// Stops the proxy in any phase: the TCP connection is closed (with a reset, so the source port is
/// free at once), both ports are released, subscribers get <see cref="ProxyGuardPhase.Stopped"/>, and
/// the actor stops. Replies <see cref="ProxyGuardStopped"/> once the ports are free.
/// </summary>
/// <param name="RequestId">Chosen by the sender to match the reply.</param>
public sealed record StopProxyGuard(string RequestId);

/// <summary>The proxy stopped; its ports are free.</summary>
/// <param name="RequestId">The stop it answers.</param>
public sealed record ProxyGuardStopped(string RequestId);

/// <summary>Asks the current state; answered at once in every phase with <see cref="CurrentProxyGuardState"/>.</summary>
/// <param name="RequestId">Chosen by the sender to match the reply.</param>
public sealed record GetProxyGuardState(string RequestId);

/// <summary>The answer to <see cref="GetProxyGuardState"/>.</summary>
/// <param name="RequestId">The request it answers.</param>
/// <param name="State">The state now, with the counters.</param>
public sealed record CurrentProxyGuardState(string RequestId, ProxyGuardStateChanged State);

/// <summary>Receive every <see cref="ProxyGuardStateChanged"/>; the current state is sent at once.</summary>
/// <param name="Subscriber">Who receives them; removed automatically when it stops.</param>
public sealed record SubscribeProxyGuardState(IActorRef Subscriber);

/// <summary>Stop sending state changes to <paramref name="Subscriber"/>.</summary>
/// <param name="Subscriber">A subscribed actor.</param>
public sealed record UnsubscribeProxyGuardState(IActorRef Subscriber);

/// <summary>Where a ProxyGuard proxy is in its life.</summary>
public enum ProxyGuardPhase
{
    /// <summary>Created; waiting for <see cref="SetUpProxyGuard"/>.</summary>
    NotSetUp,
    /// <summary>Binding the listen port and resolving the peer.</summary>
    SettingUp,
    /// <summary>Set up (port bound, peer addresses known); waiting for <see cref="StartProxyGuardTunnel"/>.</summary>
    Ready,
    /// <summary>The tunnel runs but holds no TCP connection until WireGuard sends a datagram (lazy, as the reference).</summary>
    WaitingForTraffic,
    /// <summary>Dialling the peer, TLS and the HTTP upgrade.</summary>
    Connecting,
    /// <summary>Upgraded: datagrams flow both ways.</summary>
    Connected,
    /// <summary>An attempt ended with a retried failure; the next one starts after <see cref="ProxyGuardStateChanged.RetryIn"/>.</summary>
    Reconnecting,
    /// <summary>Ended by a fatal failure (<see cref="ProxyGuardStateChanged.Error"/>); the ports are free.</summary>
    Failed,
    /// <summary>Stopped by <see cref="StopProxyGuard"/> or its parent; the ports are free.</summary>
    Stopped,
}

/// <summary>Datagram and byte counts of one proxy since its tunnel started.</summary>
/// <param name="DatagramsToServer">WireGuard datagrams written to the TCP connection.</param>
/// <param name="DatagramsFromServer">Datagrams from the server handed to WireGuard.</param>
/// <param name="DroppedQueueFull">Oldest queued datagrams dropped because the queue was full (a slow or reconnecting server).</param>
/// <param name="DroppedTooLarge">WireGuard datagrams larger than a frame may carry (65,534 bytes).</param>
/// <param name="DroppedUndeliverable">Server datagrams WireGuard's port did not take (nothing listening, too large).</param>
/// <param name="BytesToServer">Framed bytes written to the TCP connection.</param>
/// <param name="BytesFromServer">Framed bytes read from the TCP connection (after the upgrade).</param>
public sealed record ProxyGuardCounters(
    long DatagramsToServer,
    long DatagramsFromServer,
    long DroppedQueueFull,
    long DroppedTooLarge,
    long DroppedUndeliverable,
    long BytesToServer,
    long BytesFromServer)
{
    /// <summary>All zero.</summary>
    public static ProxyGuardCounters Zero { get; } = new(0, 0, 0, 0, 0, 0, 0);
}

/// <summary>The proxy's state changed (sent to subscribers; also the body of <see cref="CurrentProxyGuardState"/>).</summary>
/// <param name="Phase">The new phase.</param>
/// <param name="Attempt">The connection attempt this phase belongs to (1 for the first; 0 before the tunnel runs).</param>
/// <param name="Error">
/// <see cref="ProxyGuardPhase.Failed"/>: why it ended. <see cref="ProxyGuardPhase.Reconnecting"/>: what ended the last attempt.
/// </param>
/// <param name="RetryIn"><see cref="ProxyGuardPhase.Reconnecting"/>: the back-off before the next attempt.</param>
/// <param name="Server">Connecting or Connected: the peer address (ip:port) connected to, when known.</param>
/// <param name="Counters">The counters at the moment of the change.</param>
public sealed record ProxyGuardStateChanged(
    ProxyGuardPhase Phase,
    int Attempt,
    ProxyGuardError? Error,
    TimeSpan? RetryIn,
    string? Server,
    ProxyGuardCounters Counters);
