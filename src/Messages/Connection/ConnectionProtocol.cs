using Akka.Actor;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Messages.Connection;

/// <summary>Data that goes with a state (the URL to open, the question to answer, the configuration got).</summary>
public abstract record ConnectionStateData;

/// <summary>With <see cref="ConnectionState.OAuthStarted"/>: open this URL in a browser.</summary>
public sealed record AuthorizationUrlData(Uri Url) : ConnectionStateData;

/// <summary>With <see cref="ConnectionState.AskProfile"/>: answer <paramref name="QuestionId"/> with one profile id, or cancel.</summary>
public sealed record ProfileQuestion(string QuestionId, IReadOnlyList<Profile> Profiles) : ConnectionStateData;

/// <summary>With <see cref="ConnectionState.AskLocation"/>: answer <paramref name="QuestionId"/> with one country code, or cancel.</summary>
public sealed record LocationQuestion(string QuestionId, IReadOnlyList<string> CountryCodes) : ConnectionStateData;

/// <summary>With <see cref="ConnectionState.GotConfig"/>: the configuration (its text is never printed).</summary>
public sealed record ConfigurationData(ServerId Server, string ProfileId, VpnConfiguration Configuration) : ConnectionStateData;

/// <summary>Engine-driven transition. Replies <see cref="ConnectionTransitioned"/> or <see cref="ConnectionTransitionRefused"/>.</summary>
public sealed record TransitionConnection(string RequestId, ConnectionState To, ConnectionStateData? Data = null);

/// <summary>
/// Host-driven transition (only Connecting, Connected, Disconnecting, Disconnected). Same replies, plus
/// <see cref="ConnectionAlreadyInState"/> when the machine is already in the requested state.
/// </summary>
public sealed record SetHostConnectionState(string RequestId, ConnectionState To);

/// <summary>Asks for the current state; answered at once in every state. Replies <see cref="CurrentConnectionState"/>.</summary>
public sealed record GetConnectionState(string RequestId);

/// <summary>Subscribes to every transition; the subscriber first gets the current state as a change from itself.</summary>
public sealed record SubscribeConnectionStates(IActorRef Subscriber);

/// <summary>Ends a subscription (subscribers that stop are dropped on their own).</summary>
public sealed record UnsubscribeConnectionStates(IActorRef Subscriber);

/// <summary>One transition, published to every subscriber in order (<see cref="Sequence"/> increases by one).</summary>
public sealed record ConnectionStateChanged(
    string ConnectionId,
    ConnectionState From,
    ConnectionState To,
    ConnectionStateData? Data,
    long Sequence,
    DateTimeOffset At);

/// <summary>The transition happened and was published.</summary>
public sealed record ConnectionTransitioned(string RequestId, ConnectionStateChanged Change);

/// <summary>The transition is not allowed from the current state (§2.1); nothing changed.</summary>
public sealed record ConnectionTransitionRefused(string RequestId, ConnectionState From, ConnectionState To, string Reason)
{
    /// <summary>Why it was refused (an init property so the positional shape stays as it was).</summary>
    public ConnectionRefusalKind Kind { get; init; } = ConnectionRefusalKind.InvalidTransition;
}

/// <summary>Why a transition was refused.</summary>
public enum ConnectionRefusalKind
{
    /// <summary>§2.1 does not allow this transition from the current state.</summary>
    InvalidTransition,
    /// <summary>The host asked for a state only the engine may enter (host-settable: Connecting, Connected, Disconnecting, Disconnected).</summary>
    NotHostSettable,
    /// <summary>The data does not go with the target state, or a state that needs data (OAuthStarted, AskProfile, AskLocation) got none.</summary>
    DataMismatch,
}

/// <summary>
/// Reply to a <see cref="SetHostConnectionState"/> for the state the machine is already in (§2.4):
/// a success without a transition, so nothing was published.
/// </summary>
public sealed record ConnectionAlreadyInState(string RequestId, string ConnectionId, ConnectionState State);

/// <summary>The state now and its data.</summary>
public sealed record CurrentConnectionState(string RequestId, string ConnectionId, ConnectionState State, ConnectionStateData? Data);
