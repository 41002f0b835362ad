using System.Net;
using Akka.Actor;

namespace EduVpnActors.Messages.Failover;

/// <summary>
/// Per-probe timing that replaces the configured defaults (<c>eduvpn.failover</c>). The probe sends
/// echo 1 at once, echo 2 after <paramref name="ReplyTimeout"/>, the rest every
/// <paramref name="Interval"/>, and decides one interval after the last echo.
/// </summary>
/// <param name="Interval">Time between echo requests 2..<paramref name="Count"/> (eduvpn-common: 2 s).</param>
/// <param name="Count">How many echo requests at most (eduvpn-common: 5).</param>
/// <param name="ReplyTimeout">Wait after the first echo before the ticker starts (eduvpn-common: 2 s).</param>
public sealed record ProbeTiming(TimeSpan Interval, int Count, TimeSpan ReplyTimeout);

/// <summary>
/// Start a failover probe: check that traffic flows through the tunnel by pinging its gateway with
/// MTU-sized echo requests and watching the interface's received-bytes counter. The sender gets one
/// <see cref="ProbeVerdict"/>.
/// </summary>
/// <param name="ProbeId">Correlation id chosen by the requester; unique among running probes of one pinger.</param>
/// <param name="Gateway">Gateway address inside the tunnel (IPv4 or IPv6). Treated as immutable.</param>
/// <param name="Mtu">The tunnel MTU; each echo request is exactly this large on the wire.</param>
/// <param name="InterfaceName">
/// Interface whose received-bytes counter is read; <c>null</c> lets the default source find the
/// interface that routes to <paramref name="Gateway"/>.
/// </param>
/// <param name="Timing">Overrides the configured interval, count and first-reply time-out.</param>
public sealed record StartProbe(
    string ProbeId,
    IPAddress Gateway,
    int Mtu,
    string? InterfaceName = null,
    ProbeTiming? Timing = null);

/// <summary>Stop a probe at any moment; the requester and subscribers get a <see cref="ProbeErrorKind.Cancelled"/> verdict.</summary>
/// <param name="ProbeId">The probe to cancel.</param>
public sealed record CancelProbe(string ProbeId);

/// <summary>
/// Receive <see cref="ProbeStateChanged"/> and <see cref="ProbeVerdict"/> messages: of one probe
/// when sent to a probe actor, of every probe when sent to the failover pinger.
/// </summary>
/// <param name="Subscriber">Who receives the updates; removed automatically when it stops.</param>
public sealed record SubscribeProbeState(IActorRef Subscriber);

/// <summary>Stop sending updates to <paramref name="Subscriber"/>.</summary>
/// <param name="Subscriber">A previously subscribed actor.</param>
public sealed record UnsubscribeProbeState(IActorRef Subscriber);

/// <summary>Where a probe is in its run.</summary>
public enum ProbePhase
{
    /// <summary>Created, waiting for <see cref="StartProbe"/>.</summary>
    Pending,
    /// <summary>Reading the received-bytes counter before the first echo.</summary>
    MeasuringStart,
    /// <summary>Sending echo requests and waiting for a reply.</summary>
    Probing,
    /// <summary>No reply: reading the received-bytes counter again to decide.</summary>
    MeasuringEnd,
    /// <summary>The verdict has been sent.</summary>
    Finished,
}

/// <summary>A probe moved to another phase (sent to state subscribers).</summary>
/// <param name="ProbeId">The probe.</param>
/// <param name="Phase">Its new phase.</param>
/// <param name="EchoesSent">Echo requests sent so far.</param>
public sealed record ProbeStateChanged(string ProbeId, ProbePhase Phase, int EchoesSent);

/// <summary>What a probe found out.</summary>
public enum ProbeOutcome
{
    /// <summary>An echo reply came back, or the received-bytes counter increased: traffic flows.</summary>
    NotDropped,
    /// <summary>No reply and the received-bytes counter did not increase: reconnect over TCP.</summary>
    Dropped,
    /// <summary>The probe could not decide; see <see cref="ProbeVerdict.Error"/>.</summary>
    Error,
}

/// <summary>Why a probe could not decide.</summary>
public enum ProbeErrorKind
{
    /// <summary>The MTU is smaller than the ICMP overhead (28 bytes for IPv4, 48 for IPv6) or larger than 65535.</summary>
    InvalidMtu,
    /// <summary>Interval, count or time-out are not positive.</summary>
    InvalidTiming,
    /// <summary>The gateway address is not usable (unspecified, multicast or broadcast).</summary>
    InvalidGateway,
    /// <summary>
    /// Neither an unprivileged ICMP socket (Linux <c>net.ipv4.ping_group_range</c>) nor a raw socket
    /// (root or CAP_NET_RAW) may be opened by this process.
    /// </summary>
    NoIcmpPermission,
    /// <summary>The ICMP socket could not be opened for another reason.</summary>
    SocketFailed,
    /// <summary>Sending an echo request failed (no route, message too large, ...).</summary>
    SendFailed,
    /// <summary>The received-bytes counter could not be read.</summary>
    RxCounterFailed,
    /// <summary>The probe was cancelled with <see cref="CancelProbe"/>.</summary>
    Cancelled,
    /// <summary>The probe actor was stopped (by its parent, or after a crash) before it decided.</summary>
    Stopped,
    /// <summary>A probe with the same id is already running on this pinger.</summary>
    DuplicateProbeId,
}

/// <summary>A typed probe error with a human-readable text (never contains secrets).</summary>
/// <param name="Kind">The category.</param>
/// <param name="Message">What happened, in English.</param>
public sealed record ProbeError(ProbeErrorKind Kind, string Message);

/// <summary>The single answer to <see cref="StartProbe"/>; also sent to state subscribers.</summary>
/// <param name="ProbeId">The probe.</param>
/// <param name="Outcome">Dropped, not dropped, or error.</param>
/// <param name="EchoesSent">Echo requests sent.</param>
/// <param name="ReplySeen">Whether a matching echo reply arrived.</param>
/// <param name="RxBytesBefore">Counter before the first echo, if it was read.</param>
/// <param name="RxBytesAfter">Counter at the end, if it was read (not read after an early reply).</param>
/// <param name="ElapsedMs">Time from start to verdict (scheduler time).</param>
/// <param name="Error">Set exactly when <paramref name="Outcome"/> is <see cref="ProbeOutcome.Error"/>.</param>
public sealed record ProbeVerdict(
    string ProbeId,
    ProbeOutcome Outcome,
    int EchoesSent,
    bool ReplySeen,
    long? RxBytesBefore,
    long? RxBytesAfter,
    long ElapsedMs,
    ProbeError? Error)
{
    /// <summary>
    /// True when the host should reconnect over TCP. False for both other outcomes: check <see cref="Outcome"/> (or use the facade,
    /// which throws for <see cref="ProbeOutcome.Error"/>) before reading false as "traffic flows".
    /// </summary>
    public bool Dropped => Outcome == ProbeOutcome.Dropped;
}
