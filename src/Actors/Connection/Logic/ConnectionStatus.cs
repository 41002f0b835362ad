using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Actors.Connection.Logic;

/// <summary>
/// Where one connection's state machine stands: the state, its data, how many transitions it has made
/// and when it entered the state. Pure and immutable: the connection actor holds the only copy and
/// replaces it with the outcome of each transition, so the state has one owner and is never mirrored.
/// </summary>
/// <param name="ConnectionId">The connection, as published in <see cref="ConnectionStateChanged.ConnectionId"/>.</param>
/// <param name="State">The state now.</param>
/// <param name="Data">What goes with it (the URL, the question, the configuration), or null.</param>
/// <param name="Sequence">The number of the last transition (0 before the first).</param>
/// <param name="EnteredAt">When the state was entered.</param>
public sealed record ConnectionStatus(string ConnectionId, ConnectionState State, ConnectionStateData? Data, long Sequence, DateTimeOffset EnteredAt)
{
    /// <summary>A fresh connection: <see cref="ConnectionStateMachine.Initial"/>, no data, no transition yet.</summary>
    public static ConnectionStatus Initial(string connectionId, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        return new ConnectionStatus(connectionId, ConnectionStateMachine.Initial, null, 0, at);
    }

    /// <summary>The state now as a change from itself, stamped with when it was entered (what a new subscriber gets first).</summary>
    public ConnectionStateChanged AsCurrent() => new(ConnectionId, State, State, Data, Sequence, EnteredAt);

    /// <summary>The answer to a state query.</summary>
    public CurrentConnectionState Query(string requestId) => new(requestId, ConnectionId, State, Data);

    /// <summary>
    /// An engine-driven transition (behaviour reference §2.1): allowed by the table and with data that fits
    /// the target state (<see cref="ConnectionStateDataRules"/>), else refused with nothing changed.
    /// </summary>
    public TransitionOutcome Transition(ConnectionState to, ConnectionStateData? data, DateTimeOffset at)
    {
        if (!ConnectionStateMachine.CanTransition(State, to))
        {
            return Refuse(to, ConnectionRefusalKind.InvalidTransition, ConnectionStateMachine.InvalidTransitionMessage(State, to));
        }
        return ConnectionStateDataRules.Fits(to, data)
            ? Apply(to, data, at)
            : Refuse(to, ConnectionRefusalKind.DataMismatch, ConnectionStateDataRules.MismatchMessage(to, data));
    }

    /// <summary>
    /// A host-driven transition (§2.4): only Connecting, Connected, Disconnecting and Disconnected; an illegal
    /// request for the state the machine is already in is a success without a transition.
    /// </summary>
    public TransitionOutcome HostRequest(ConnectionState to, DateTimeOffset at)
    {
        if (!ConnectionStateMachine.IsHostSettable(to))
        {
            return Refuse(to, ConnectionRefusalKind.NotHostSettable,
                $"the host may not set the state '{to}'; it may set only Connecting, Connected, Disconnecting and Disconnected");
        }
        return ConnectionStateMachine.EvaluateHostRequest(State, to) switch
        {
            HostStateRequestOutcome.Transition => Apply(to, null, at),
            HostStateRequestOutcome.AlreadyInState => new TransitionOutcome.AlreadyThere(this),
            _ => Refuse(to, ConnectionRefusalKind.InvalidTransition, ConnectionStateMachine.HostRequestRejectedMessage(State, to)),
        };
    }

    private TransitionOutcome.Moved Apply(ConnectionState to, ConnectionStateData? data, DateTimeOffset at)
    {
        var change = new ConnectionStateChanged(ConnectionId, State, to, data, Sequence + 1, at);
        return new TransitionOutcome.Moved(this with { State = to, Data = data, Sequence = change.Sequence, EnteredAt = at }, change);
    }

    private TransitionOutcome.Refused Refuse(ConnectionState to, ConnectionRefusalKind kind, string reason) =>
        new(this, kind, reason, to);
}

/// <summary>The outcome of a transition request against a <see cref="ConnectionStatus"/>.</summary>
public abstract record TransitionOutcome(ConnectionStatus Status)
{
    /// <summary>The machine moved; <paramref name="Change"/> is to be published.</summary>
    public sealed record Moved(ConnectionStatus Next, ConnectionStateChanged Change) : TransitionOutcome(Next);

    /// <summary>A host request for the state the machine is in: nothing to publish.</summary>
    public sealed record AlreadyThere(ConnectionStatus Unchanged) : TransitionOutcome(Unchanged);

    /// <summary>Not allowed; nothing changed.</summary>
    public sealed record Refused(ConnectionStatus Unchanged, ConnectionRefusalKind Kind, string Reason, ConnectionState To) : TransitionOutcome(Unchanged)
    {
        /// <summary>The refusal as the reply to request <paramref name="requestId"/>.</summary>
        public ConnectionTransitionRefused ToReply(string requestId) => new(requestId, Unchanged.State, To, Reason) { Kind = Kind };
    }
}

/// <summary>Which <see cref="ConnectionStateData"/> goes with which state.</summary>
public static class ConnectionStateDataRules
{
    /// <summary>
    /// Whether <paramref name="data"/> may go with entering <paramref name="to"/>: the states that
    /// wait for the host (OAuthStarted, AskProfile, AskLocation) need their data, because the host
    /// cannot act without it; GotConfig may carry its configuration; every other state has none.
    /// </summary>
    public static bool Fits(ConnectionState to, ConnectionStateData? data) => to switch
    {
        ConnectionState.OAuthStarted => data is AuthorizationUrlData,
        ConnectionState.AskProfile => data is ProfileQuestion,
        ConnectionState.AskLocation => data is LocationQuestion,
        ConnectionState.GotConfig => data is null or ConfigurationData,
        _ => data is null,
    };

    /// <summary>The refusal text for data that does not fit (names the type only: data may hold secrets).</summary>
    public static string MismatchMessage(ConnectionState to, ConnectionStateData? data) =>
        data is null
            ? $"the state '{to}' needs data for the host, none was given"
            : $"data of type '{data.GetType().Name}' does not go with the state '{to}'";
}
