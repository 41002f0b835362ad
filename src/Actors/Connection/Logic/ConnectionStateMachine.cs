using System.Collections.Frozen;
using System.Collections.Immutable;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Actors.Connection.Logic;

/// <summary>
/// eduvpn-common's client state machine (behaviour reference §2.1) as pure rules: which
/// transitions are legal, which the host may request, and which must be handled by the host.
/// </summary>
public static class ConnectionStateMachine
{
    /// <summary>The state a fresh engine starts in (eduvpn-common starts in Main, not Deregistered).</summary>
    public const ConnectionState Initial = ConnectionState.Main;

    // §2.1 table, without the universal rule (Main and Deregistered are always allowed).
    private static readonly FrozenDictionary<ConnectionState, ImmutableArray<ConnectionState>> Table =
        new Dictionary<ConnectionState, ImmutableArray<ConnectionState>>
        {
            [ConnectionState.Deregistered] = [ConnectionState.Main],
            [ConnectionState.Main] = [ConnectionState.Deregistered, ConnectionState.AddingServer, ConnectionState.GettingConfig, ConnectionState.Connected],
            [ConnectionState.AddingServer] = [ConnectionState.OAuthStarted],
            [ConnectionState.OAuthStarted] = [ConnectionState.Main, ConnectionState.Disconnected, ConnectionState.GotConfig],
            [ConnectionState.GettingConfig] = [ConnectionState.AskLocation, ConnectionState.AskProfile, ConnectionState.Disconnected, ConnectionState.GotConfig, ConnectionState.OAuthStarted],
            [ConnectionState.AskLocation] = [ConnectionState.GettingConfig],
            [ConnectionState.AskProfile] = [ConnectionState.GettingConfig],
            [ConnectionState.GotConfig] = [ConnectionState.GettingConfig, ConnectionState.Connecting, ConnectionState.OAuthStarted],
            [ConnectionState.Connecting] = [ConnectionState.Connected, ConnectionState.Disconnecting],
            [ConnectionState.Connected] = [ConnectionState.Disconnecting],
            [ConnectionState.Disconnecting] = [ConnectionState.Disconnected, ConnectionState.Connected],
            [ConnectionState.Disconnected] = [ConnectionState.Connecting, ConnectionState.GettingConfig, ConnectionState.OAuthStarted],
        }.ToFrozenDictionary();

    private static readonly FrozenDictionary<ConnectionState, ImmutableArray<ConnectionState>> Allowed =
        Enum.GetValues<ConnectionState>().ToFrozenDictionary(
            from => from,
            from => Enum.GetValues<ConnectionState>().Where(to => IsAllowed(from, to)).ToImmutableArray());

    /// <summary>Whether <paramref name="from"/> → <paramref name="to"/> is a legal transition.</summary>
    public static bool CanTransition(ConnectionState from, ConnectionState to) =>
        Allowed.TryGetValue(from, out var targets) && targets.Contains(to);

    /// <summary>All legal targets from <paramref name="from"/>, in state-number order.</summary>
    public static IReadOnlyList<ConnectionState> AllowedTargets(ConnectionState from) =>
        Allowed.TryGetValue(from, out var targets) ? targets : ImmutableArray<ConnectionState>.Empty;

    /// <summary>Whether the host may request this state itself (eduvpn-common's <c>SetState</c> use).</summary>
    public static bool IsHostSettable(ConnectionState state) => state is
        ConnectionState.Connecting or ConnectionState.Connected or ConnectionState.Disconnecting or ConnectionState.Disconnected;

    /// <summary>
    /// Whether entering <paramref name="to"/> needs an answer from the host: the OAuth start during
    /// authorization, and the profile and location questions. Other transitions are informational.
    /// </summary>
    public static bool IsRequired(ConnectionState to) => to is
        ConnectionState.OAuthStarted or ConnectionState.AskProfile or ConnectionState.AskLocation;

    /// <summary>eduvpn-common's text for an illegal transition.</summary>
    public static string InvalidTransitionMessage(ConnectionState from, ConnectionState to) =>
        $"fsm invalid transition attempt from '{from}' to '{to}'";

    /// <summary>eduvpn-common's text for a required transition the host did not handle.</summary>
    public static string UnhandledRequiredMessage(ConnectionState from, ConnectionState to) =>
        $"fsm failed transition from '{from}' to '{to}', is this required transition handled?";

    /// <summary>
    /// How a host's SetState request is answered (behaviour reference §2.4): a legal transition is
    /// performed; an illegal one is a silent success when the machine is already in that state,
    /// else a failure (text: <see cref="HostRequestRejectedMessage"/>).
    /// </summary>
    public static HostStateRequestOutcome EvaluateHostRequest(ConnectionState current, ConnectionState requested) =>
        CanTransition(current, requested) ? HostStateRequestOutcome.Transition
        : current == requested ? HostStateRequestOutcome.AlreadyInState
        : HostStateRequestOutcome.Rejected;

    /// <summary>eduvpn-common's text for a rejected SetState.</summary>
    public static string HostRequestRejectedMessage(ConnectionState current, ConnectionState requested) =>
        $"Failed internal state transition requested by the client from: '{current}' to '{requested}'";

    /// <summary>Throws <see cref="ConnectionTransitionException"/> unless the transition is legal.</summary>
    public static void EnsureCanTransition(ConnectionState from, ConnectionState to)
    {
        if (!CanTransition(from, to))
        {
            throw new ConnectionTransitionException(from, to);
        }
    }

    private static bool IsAllowed(ConnectionState from, ConnectionState to) =>
        to is ConnectionState.Main or ConnectionState.Deregistered
        || (from != to && Table.TryGetValue(from, out var targets) && targets.Contains(to));
}

/// <summary>The answer to a host's SetState request.</summary>
public enum HostStateRequestOutcome
{
    /// <summary>Perform the transition (and notify the host as for any transition).</summary>
    Transition,
    /// <summary>Illegal, but the machine is already there: succeed without a transition.</summary>
    AlreadyInState,
    /// <summary>Illegal: fail.</summary>
    Rejected,
}

/// <summary>An illegal state transition was attempted.</summary>
public sealed class ConnectionTransitionException(ConnectionState from, ConnectionState to)
    : InvalidOperationException(ConnectionStateMachine.InvalidTransitionMessage(from, to))
{
    /// <summary>The state the connection was in.</summary>
    public ConnectionState From { get; } = from;

    /// <summary>The state that was refused.</summary>
    public ConnectionState To { get; } = to;
}
