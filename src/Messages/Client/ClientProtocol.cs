using Akka.Actor;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Messages.Client;

/// <summary>Categories of failures of the client flow (add, get config, renew, cleanup, remove).</summary>
public enum ClientErrorKind
{
    /// <summary>The identifier is not a valid https URL.</summary>
    InvalidUrl,
    /// <summary>The institute server or organization is not in discovery (or its home server is missing).</summary>
    NotInDiscovery,
    /// <summary>No server with that id was added.</summary>
    UnknownServer,
    /// <summary>A Secure Internet server exists already (one at a time).</summary>
    SecureInternetAlreadyAdded,
    /// <summary>Another operation on this server is still running.</summary>
    Busy,
    /// <summary>The connection is in a state that does not allow this (e.g. remove while connected).</summary>
    InvalidState,
    /// <summary>The server offers no profile to this account.</summary>
    NoProfiles,
    /// <summary>The chosen location is not a Secure Internet location in discovery.</summary>
    UnknownLocation,
    /// <summary>The host cancelled a question or the whole operation.</summary>
    Cancelled,
    /// <summary>Start-up connect needs a new authorization; the user must connect by hand.</summary>
    AuthorizationRequired,
    /// <summary>The server session failed (see <see cref="ClientError.Session"/>).</summary>
    Session,
    /// <summary>The server's <c>/connect</c> answer could not be used (no <c>Expires</c>, expired, wrong type, bad WireGuard config).</summary>
    InvalidConfiguration,
    /// <summary>The change could not be stored.</summary>
    Storage,
    /// <summary>A part of the engine (registry, discovery, session) did not answer a step in time; the server accepts new requests.</summary>
    Timeout,
    /// <summary>A part of the engine failed unexpectedly (a fault, not a refusal) while it ran the request; the server accepts new requests.</summary>
    Internal,
    /// <summary>The profile or location asked for is not one the server offers this user; <see cref="ClientError.Choices"/> lists those it does.</summary>
    InvalidChoice,
    /// <summary>The failover probe could not decide whether traffic is dropped (see <see cref="ClientError.Probe"/>): neither reconnect over TCP nor assume UDP works.</summary>
    ProbeFailed,
    /// <summary>The ProxyGuard client (WireGuard over TCP) could not be set up or its tunnel failed (see <see cref="ClientError.ProxyGuard"/>).</summary>
    ProxyGuard,
}

/// <summary>One of the choices a host may pass (a profile id, or a Secure Internet country code) and how to show it.</summary>
/// <param name="Id">What to pass (<c>--profile ID</c>, <c>--location CC</c>, or the answer to a question).</param>
/// <param name="DisplayName">Its name in the server's languages, where it has one.</param>
public sealed record ChoiceOption(string Id, Common.LocalizedText? DisplayName);

/// <summary>A typed failure; <see cref="Message"/> is English and technical, hosts show a translated text by kind.</summary>
public sealed record ClientError(ClientErrorKind Kind, string Message, SessionFailure? Session = null)
{
    /// <summary>With <see cref="ClientErrorKind.InvalidChoice"/>: the choices the server does offer.</summary>
    public IReadOnlyList<ChoiceOption>? Choices { get; init; }

    /// <summary>With <see cref="ClientErrorKind.ProbeFailed"/>: why the probe could not decide.</summary>
    public Failover.ProbeError? Probe { get; init; }

    /// <summary>With <see cref="ClientErrorKind.ProxyGuard"/>: what the proxy reported.</summary>
    public ProxyGuard.ProxyGuardError? ProxyGuard { get; init; }
}

/// <summary>A request to the client; every reply carries the same <see cref="RequestId"/>.</summary>
public interface IClientRequest
{
    /// <summary>Chosen by the sender to match the reply.</summary>
    string RequestId { get; }
}

/// <summary>A request about one server (routed to that server's connection).</summary>
public interface IServerRequest : IClientRequest
{
    /// <summary>The server the request is about.</summary>
    ServerId Server { get; }
}

/// <summary>
/// Adds a server: Institute Access by base URL (must be in discovery), Secure Internet by organization id,
/// Custom by any https URL. Interactive adds authorize at once (the connection passes through
/// AddingServer → OAuthStarted → Main). Replies <see cref="ServerReady"/>.
/// </summary>
public sealed record AddServer(string RequestId, ServerType Type, string Identifier, bool Interactive = true) : IClientRequest;

/// <summary>
/// Gets a VPN configuration, asking the host for a location or profile when needed. <paramref name="Startup"/> never
/// starts an interactive authorization. <paramref name="ProfileId"/> and <paramref name="CountryCode"/> choose (and
/// remember) the profile and Secure Internet location for this configuration instead of the remembered ones, by the rules
/// of <see cref="SetProfile"/>/<see cref="SetLocation"/> (a live configuration of another choice is released first); one
/// the server does not offer fails with <see cref="ClientErrorKind.InvalidChoice"/>. Replies <see cref="ConfigObtained"/>.
/// </summary>
public sealed record GetConfig(string RequestId, ServerId Server, bool PreferTcp = false, bool Startup = false, string? ProfileId = null, string? CountryCode = null) : IServerRequest;

/// <summary>Answers the question the connection asks (<see cref="ProfileQuestion"/> or <see cref="LocationQuestion"/>). Replies <see cref="QuestionAnswered"/>.</summary>
public sealed record AnswerQuestion(string RequestId, ServerId Server, string QuestionId, string Answer) : IServerRequest;

/// <summary>Cancels the running operation of a server (its question or its authorization). Replies <see cref="OperationCancelled"/>.</summary>
public sealed record CancelOperation(string RequestId, ServerId Server) : IServerRequest;

/// <summary>Tells the engine what the host's tunnel did (Connecting, Connected, Disconnecting, Disconnected). Replies <see cref="ConnectionTransitioned"/>, <see cref="ConnectionAlreadyInState"/> (nothing to do) or <see cref="ConnectionTransitionRefused"/>.</summary>
public sealed record SetConnectionState(string RequestId, ServerId Server, ConnectionState State) : IServerRequest;

/// <summary>Asks the state of a server's connection; answered at once, also while a question waits. Replies <see cref="CurrentConnectionState"/>.</summary>
public sealed record GetServerConnectionState(string RequestId, ServerId Server) : IServerRequest;

/// <summary>Calls <c>/disconnect</c> (best effort, after the tunnel is down) and forgets the configuration times. Replies <see cref="CleanedUp"/>.</summary>
public sealed record Cleanup(string RequestId, ServerId Server) : IServerRequest;

/// <summary>Renews the session: <c>/disconnect</c>, tokens dropped, a new authorization. The host then asks for a config again. Replies <see cref="SessionRenewed"/>.</summary>
public sealed record RenewSession(string RequestId, ServerId Server) : IServerRequest;

/// <summary>Chooses the profile used from now on. Replies <see cref="ServerUpdated"/>.</summary>
public sealed record SetProfile(string RequestId, ServerId Server, string ProfileId) : IServerRequest;

/// <summary>Chooses the Secure Internet location used from now on (must be in discovery). Replies <see cref="ServerUpdated"/>.</summary>
public sealed record SetLocation(string RequestId, ServerId Server, string CountryCode) : IServerRequest;

/// <summary>Removes a server, its choices and its tokens (not while its tunnel is up). Replies <see cref="ServerForgotten"/>.</summary>
public sealed record RemoveServer(string RequestId, ServerId Server) : IServerRequest;

/// <summary>
/// Probes the gateway of the server's fresh tunnel (behaviour reference §8) to decide on failover to TCP.
/// The gateway is <paramref name="Gateway"/> when given, else the first host of the WireGuard
/// configuration's address. The verdict (a <c>ProbeVerdict</c> of <c>EduVpnActors.Messages.Failover</c>)
/// goes to the sender and, as <see cref="FailoverVerdictReady"/>, to the state subscribers;
/// <paramref name="InterfaceName"/> names the tunnel interface whose received bytes are counted.
/// One probe per server at a time (a second one fails Busy). Cancelled by <see cref="CancelFailover"/>;
/// stopped when the host reports Disconnecting or Disconnected (verdict error <c>Stopped</c>).
/// </summary>
public sealed record StartFailover(string RequestId, ServerId Server, int Mtu, string? InterfaceName = null, string? Gateway = null) : IServerRequest;

/// <summary>
/// Cancels the server's running failover probe; its requester gets a verdict with error <c>Cancelled</c>.
/// Kept apart from <see cref="CancelOperation"/>: a probe runs beside the operations, not as one.
/// Replies <see cref="OperationCancelled"/> (WasRunning false when no probe ran).
/// </summary>
public sealed record CancelFailover(string RequestId, ServerId Server) : IServerRequest;

/// <summary>
/// A failover probe of a connection ended (published to the state subscribers beside the
/// <c>ConnectionStateChanged</c> messages; a verdict is not a state change).
/// </summary>
/// <param name="ConnectionId">The connection, as in <c>ConnectionStateChanged</c> (the server id as text).</param>
/// <param name="Server">The server whose tunnel was probed.</param>
/// <param name="RequestId">The <see cref="StartFailover"/> it answers.</param>
/// <param name="Verdict">The probe's verdict, as the requester got it.</param>
/// <param name="At">When the connection got it.</param>
public sealed record FailoverVerdictReady(string ConnectionId, ServerId Server, string RequestId, Failover.ProbeVerdict Verdict, DateTimeOffset At);

/// <summary>Subscribes to the state changes of every connection (present and future).</summary>
public sealed record SubscribeClientStates(IActorRef Subscriber);

/// <summary>Ends a subscription made with <see cref="SubscribeClientStates"/>.</summary>
public sealed record UnsubscribeClientStates(IActorRef Subscriber);

/// <summary>The server is stored (and authorized, if the add was interactive).</summary>
public sealed record ServerReady(string RequestId, ServerRecord Server);

/// <summary>A configuration ready for the tunnel, with the profile it is for and its expiry times.</summary>
public sealed record ConfigObtained(string RequestId, ServerId Server, string ProfileId, VpnConfiguration Configuration, ExpiryTimes Expiry);

/// <summary>The answer was taken.</summary>
public sealed record QuestionAnswered(string RequestId);

/// <summary>The operation was cancelled (or there was none).</summary>
public sealed record OperationCancelled(string RequestId, bool WasRunning);

/// <summary>The <c>/disconnect</c> call ended; <paramref name="Reached"/> is false when the server could not be told.</summary>
public sealed record CleanedUp(string RequestId, bool Reached);

/// <summary>The new authorization is done.</summary>
public sealed record SessionRenewed(string RequestId, ServerRecord Server);

/// <summary>The server's remembered choices after a change.</summary>
public sealed record ServerUpdated(string RequestId, ServerRecord Server);

/// <summary>The server is gone.</summary>
public sealed record ServerForgotten(string RequestId, ServerId Server);

/// <summary>The request failed; the engine is still usable.</summary>
public sealed record ClientRequestFailed(string RequestId, ClientError Error);
