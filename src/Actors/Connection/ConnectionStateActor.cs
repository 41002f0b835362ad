using Akka.Actor;
using Akka.Event;
using EduVpnActors.Actors.Connection.Logic;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Actors.Connection;

/// <summary>
/// The state machine of one connection (one per connected server; several may run at once).
/// Transitions follow <see cref="ConnectionStateMachine"/> (behaviour reference §2.1, §2.4); each
/// one is published to the subscribers in order. The state lives in memory only: a connection
/// starts again at <see cref="ConnectionStateMachine.Initial"/>.
/// </summary>
/// <remarks>
/// One behaviour serves all twelve states on purpose: the table decides legality, and every
/// message (above all <see cref="GetConnectionState"/>) must be answered at once in every state,
/// including while a question waits for the host, where eduvpn-common deadlocks.
/// </remarks>
public sealed class ConnectionStateActor : ReceiveActor
{
    private readonly string _connectionId;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // A list, not a set: publishing in subscription order keeps test output and logs readable.
    private readonly List<IActorRef> _subscribers = [];

    private ConnectionState _state = ConnectionStateMachine.Initial;
    private ConnectionStateData? _data;
    private long _sequence;
    private DateTimeOffset _enteredAt;

    /// <summary>Creates the state actor of one connection; use <see cref="Props"/>.</summary>
    public ConnectionStateActor(string connectionId, TimeProvider time)
    {
        _connectionId = connectionId;
        _time = time;
        _enteredAt = time.GetUtcNow();

        Receive<TransitionConnection>(OnTransition);
        Receive<SetHostConnectionState>(OnHostRequest);
        Receive<GetConnectionState>(query =>
            Sender.Tell(new CurrentConnectionState(query.RequestId, _connectionId, _state, _data)));
        Receive<SubscribeConnectionStates>(OnSubscribe);
        Receive<UnsubscribeConnectionStates>(unsubscribe =>
        {
            if (_subscribers.Remove(unsubscribe.Subscriber))
            {
                Context.Unwatch(unsubscribe.Subscriber);
            }
        });
        Receive<Terminated>(terminated => _subscribers.Remove(terminated.ActorRef));
    }

    /// <summary>The actor for connection <paramref name="connectionId"/>; <paramref name="time"/> stamps the changes (default: system clock).</summary>
    public static Props Props(string connectionId, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        var clock = time ?? TimeProvider.System;
        return Akka.Actor.Props.Create(() => new ConnectionStateActor(connectionId, clock));
    }

    private void OnTransition(TransitionConnection request)
    {
        if (!ConnectionStateMachine.CanTransition(_state, request.To))
        {
            Refuse(request.RequestId, request.To, ConnectionRefusalKind.InvalidTransition,
                ConnectionStateMachine.InvalidTransitionMessage(_state, request.To));
            return;
        }
        if (!ConnectionStateDataRules.Fits(request.To, request.Data))
        {
            Refuse(request.RequestId, request.To, ConnectionRefusalKind.DataMismatch,
                ConnectionStateDataRules.MismatchMessage(request.To, request.Data));
            return;
        }
        Sender.Tell(new ConnectionTransitioned(request.RequestId, Apply(request.To, request.Data)));
    }

    private void OnHostRequest(SetHostConnectionState request)
    {
        if (!ConnectionStateMachine.IsHostSettable(request.To))
        {
            Refuse(request.RequestId, request.To, ConnectionRefusalKind.NotHostSettable,
                $"the host may not set the state '{request.To}'; it may set only Connecting, Connected, Disconnecting and Disconnected");
            return;
        }
        switch (ConnectionStateMachine.EvaluateHostRequest(_state, request.To))
        {
            case HostStateRequestOutcome.Transition:
                Sender.Tell(new ConnectionTransitioned(request.RequestId, Apply(request.To, null)));
                break;
            case HostStateRequestOutcome.AlreadyInState:
                _log.Debug("Connection {ConnectionId}: host asked for {State}, already there", _connectionId, _state);
                Sender.Tell(new ConnectionAlreadyInState(request.RequestId, _connectionId, _state));
                break;
            default:
                Refuse(request.RequestId, request.To, ConnectionRefusalKind.InvalidTransition,
                    ConnectionStateMachine.HostRequestRejectedMessage(_state, request.To));
                break;
        }
    }

    private void OnSubscribe(SubscribeConnectionStates subscribe)
    {
        // A repeated subscription changes nothing, so a subscriber never sees a sequence number twice.
        if (_subscribers.Contains(subscribe.Subscriber))
        {
            return;
        }
        _subscribers.Add(subscribe.Subscriber);
        Context.Watch(subscribe.Subscriber);
        // The current state as a change from itself, stamped with when it was entered (not when asked).
        subscribe.Subscriber.Tell(new ConnectionStateChanged(_connectionId, _state, _state, _data, _sequence, _enteredAt));
    }

    private ConnectionStateChanged Apply(ConnectionState to, ConnectionStateData? data)
    {
        var change = new ConnectionStateChanged(_connectionId, _state, to, data, _sequence + 1, _time.GetUtcNow());
        _state = to;
        _data = data;
        _sequence = change.Sequence;
        _enteredAt = change.At;
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(change);
        }
        _log.Debug("Connection {ConnectionId}: {From} -> {To} (#{Sequence})", _connectionId, change.From, to, change.Sequence);
        return change;
    }

    private void Refuse(string requestId, ConnectionState to, ConnectionRefusalKind kind, string reason)
    {
        _log.Debug("Connection {ConnectionId}: refused {From} -> {To}: {Kind}", _connectionId, _state, to, kind);
        Sender.Tell(new ConnectionTransitionRefused(requestId, _state, to, reason) { Kind = kind });
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
