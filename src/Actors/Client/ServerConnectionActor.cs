using Akka.Actor;
using Akka.Event;
using EduVpnActors.Actors.Client.Operations;
using EduVpnActors.Actors.Connection.Logic;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Failover;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client;

/// <summary>
/// One server's connection: the single owner of its state machine (the host follows it; state queries and
/// host state changes are answered at once, also while an operation waits for the user), of the
/// one-operation-at-a-time rule and of its failover probe. Each operation (add, get config, renew, cleanup,
/// profile, location, remove) runs as a child actor: "busy" means that child is alive, a cancel is told to
/// it, and a child that fails or stops without answering still gets its requester a typed failure and the
/// state machine walked back by allowed transitions.
/// </summary>
public sealed class ServerConnectionActor : ReceiveActor
{
    private readonly ServerId _server;
    private readonly ClientDependencies _deps;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ConnectionFailover _failover = new();
    private readonly ConnectionProxy _proxy = new();
    private ConnectionStatus _status;
    private RunningOperation? _operation;
    private VpnConfiguration? _configuration;
    private long _children;
    private bool _stopWhenIdle;

    /// <summary>Creates the connection actor of <paramref name="server"/>; the client actor starts it.</summary>
    public ServerConnectionActor(ServerId server, ClientDependencies deps)
    {
        _server = server;
        _deps = deps;
        _status = ConnectionStatus.Initial(server.ToString(), deps.Time.GetUtcNow());
        // The client re-publishes every change to the host's subscribers; the first is where the machine stands.
        Context.Parent.Tell(_status.AsCurrent());

        Receive<AddServer>(Start);
        Receive<GetConfig>(Start);
        Receive<RenewSession>(Start);
        Receive<Cleanup>(Start);
        Receive<SetProfile>(Start);
        Receive<SetLocation>(Start);
        Receive<RemoveServer>(Start);
        Receive<AnswerQuestion>(OnAnswer);
        Receive<CancelOperation>(OnCancel);
        Receive<SetConnectionState>(OnHostState);
        Receive<GetServerConnectionState>(query => Sender.Tell(_status.Query(query.RequestId)));
        Receive<GetConnectionState>(query => Sender.Tell(_status.Query(query.RequestId)));
        Receive<TransitionConnection>(OnOperationTransition);
        Receive<ReturnToMain>(_ => FromOperation(Sender), _ =>
        {
            if (_status.State != ConnectionState.Main)
            {
                Move(ConnectionState.Main, null);
            }
        });
        Receive<LiveConfigurationReleased>(_ => FromOperation(Sender), _ => _configuration = null);
        Receive<OperationEnded>(_ => _operation?.Child.Equals(Sender) == true, OnEnded);
        Receive<StartFailover>(start => Answer(start.RequestId, _failover.Start(start, _status.State, _configuration, _deps, $"failover-{++_children}", Context)));
        Receive<CancelFailover>(cancel => Sender.Tell(new OperationCancelled(cancel.RequestId, _failover.Cancel())));
        Receive<ProbeVerdict>(OnProbeVerdict);
        Receive<SetUpServerProxy>(setUp => Answer(setUp.RequestId, _proxy.SetUp(setUp, _configuration, _deps, Context)));
        Receive<RunServerProxy>(run => Answer(run.RequestId, _proxy.Run(run, Context) ? null
            : new ClientError(ClientErrorKind.InvalidState, "no ProxyGuard client of this connection is set up")));
        Receive<StopServerProxy>(stop => Sender.Tell(new OperationCancelled(stop.RequestId, _proxy.Stop(Context))));
        Receive<ProxyGuardStateChanged>(state =>
            Context.Parent.Tell(new ServerProxyStateChanged(_status.ConnectionId, _server, Sender.Path.Name, state, _deps.Time.GetUtcNow())));
        Receive<Terminated>(OnTerminated);
        Receive<StopConnectionWhenIdle>(_ =>
        {
            _stopWhenIdle = true;
            StopIfAsked();
        });
        Receive<ReceiveTimeout>(_ => RetireIfIdle());
        SetReceiveTimeout(deps.Settings.IdleTimeout);
    }

    /// <summary>Props for the connection of <paramref name="server"/>.</summary>
    public static Props Props(ServerId server, ClientDependencies deps) =>
        Akka.Actor.Props.Create(() => new ServerConnectionActor(server, deps));

    /// <summary>Children never restart: an operation or probe that fails stops, and its requester is answered here.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.Error(e, "A child of the connection of {Server} failed", _server);
        return Directive.Stop;
    });

    private void Start(IClientRequest request)
    {
        if (_operation is not null)
        {
            Sender.Tell(new ClientRequestFailed(request.RequestId, new ClientError(ClientErrorKind.Busy, $"{_server} is busy with another operation")));
            return;
        }
        var start = OperationStart.Decide(request, _status.State);
        if (start.Refusal is { } refusal)
        {
            Sender.Tell(new ClientRequestFailed(request.RequestId, refusal));
            return;
        }
        var startState = _status.State;
        // A new operation means a new (or no) configuration: the proxy of the old one carries nothing more.
        _proxy.Stop(Context);
        foreach (var to in start.Transitions)
        {
            Move(to, null);
        }
        var operation = new OperationContext(_server, Self, _deps, Interactive: request is not GetConfig { Startup: true });
        var child = Context.Watch(Context.ActorOf(OperationActor.PropsFor(operation, request), $"op-{++_children}"));
        _operation = new RunningOperation(child, child.Path.ToStringWithoutAddress() + "/", request.RequestId, Sender, startState);
    }

    private void OnEnded(OperationEnded ended)
    {
        var operation = _operation!;
        _operation = null;
        Context.Unwatch(operation.Child);
        if (ended.Failed)
        {
            RollBack(operation.StartState);
        }
        operation.ReplyTo.Tell(ended.Reply);
        if (ended.ServerGone)
        {
            RetireIfIdle();
        }
        StopIfAsked();
    }

    private void OnTerminated(Terminated stopped)
    {
        if (_operation is not { } operation || !operation.Child.Equals(stopped.ActorRef))
        {
            return; // a failover probe: it answered as it stopped
        }
        _operation = null;
        RollBack(operation.StartState);
        operation.ReplyTo.Tell(new ClientRequestFailed(operation.RequestId,
            new ClientError(ClientErrorKind.Internal, "the operation stopped unexpectedly; nothing more was done")));
        StopIfAsked();
    }

    private void OnOperationTransition(TransitionConnection transition)
    {
        if (!FromOperation(Sender))
        {
            _log.Debug("Ignoring a transition to {State} for {Server}: no running operation sent it", transition.To, _server);
            return;
        }
        if (Move(transition.To, transition.Data) is TransitionOutcome.Refused refused && _operation is { } operation)
        {
            // The host moved the machine on while the operation ran: it cannot go on from here.
            _operation = null;
            Context.Unwatch(operation.Child);
            Context.Stop(operation.Child);
            operation.ReplyTo.Tell(new ClientRequestFailed(operation.RequestId, new ClientError(ClientErrorKind.InvalidState, refused.Reason)));
            StopIfAsked();
        }
    }

    private void OnAnswer(AnswerQuestion answer)
    {
        if (_operation is { } operation)
        {
            operation.Child.Forward(answer);
            return;
        }
        Sender.Tell(new ClientRequestFailed(answer.RequestId, new ClientError(ClientErrorKind.InvalidState, $"no question '{answer.QuestionId}' is waiting")));
    }

    private void OnCancel(CancelOperation cancel)
    {
        Sender.Tell(new OperationCancelled(cancel.RequestId, _operation is not null));
        _operation?.Child.Tell(CancelRequested.Instance);
    }

    private void OnHostState(SetConnectionState set)
    {
        var outcome = _status.HostRequest(set.State, _deps.Time.GetUtcNow());
        switch (outcome)
        {
            case TransitionOutcome.Moved moved:
                Apply(moved);
                Sender.Tell(new ConnectionTransitioned(set.RequestId, moved.Change));
                return;
            case TransitionOutcome.AlreadyThere:
                _log.Debug("Connection {ConnectionId}: host asked for {State}, already there", _status.ConnectionId, _status.State);
                Sender.Tell(new ConnectionAlreadyInState(set.RequestId, _status.ConnectionId, _status.State));
                return;
            case TransitionOutcome.Refused refused:
                _log.Debug("Connection {ConnectionId}: refused {From} -> {To}: {Kind}", _status.ConnectionId, _status.State, set.State, refused.Kind);
                Sender.Tell(refused.ToReply(set.RequestId));
                return;
        }
    }

    private TransitionOutcome Move(ConnectionState to, ConnectionStateData? data)
    {
        var outcome = _status.Transition(to, data, _deps.Time.GetUtcNow());
        if (outcome is TransitionOutcome.Moved moved)
        {
            Apply(moved);
        }
        else
        {
            _log.Debug("Connection {ConnectionId}: refused {From} -> {To}", _status.ConnectionId, _status.State, to);
        }
        return outcome;
    }

    private void Apply(TransitionOutcome.Moved moved)
    {
        _status = moved.Next;
        if (moved.Change.Data is ConfigurationData got)
        {
            _configuration = got.Configuration;
        }
        Context.Parent.Tell(moved.Change);
        _failover.StopIfTunnelDown(_status.State, Context);
        _proxy.StopIfTunnelDown(_status.State, Context);
        _log.Debug("Connection {ConnectionId}: {From} -> {To} (#{Sequence})", _status.ConnectionId, moved.Change.From, moved.Change.To, moved.Change.Sequence);
    }

    private void RollBack(ConnectionState start)
    {
        foreach (var to in OperationStart.RollBack(_status.State, start))
        {
            Move(to, null);
        }
    }

    /// <summary>Answers a request that the connection passed on (null: the child it went to answers) or refused.</summary>
    private void Answer(string requestId, ClientError? refusal)
    {
        if (refusal is not null)
        {
            Sender.Tell(new ClientRequestFailed(requestId, refusal));
        }
    }

    private void OnProbeVerdict(ProbeVerdict verdict)
    {
        if (_failover.Finished(verdict) is not { } requester)
        {
            return;
        }
        requester.Requester.Tell(verdict);
        Context.Parent.Tell(new FailoverVerdictReady(_server.ToString(), _server, requester.RequestId, verdict, _deps.Time.GetUtcNow()));
    }

    /// <summary>
    /// A connection idle in Main (no operation, no probe) means nothing a fresh one would not: it asks the client
    /// to stop routing to it (the client answers <see cref="StopConnectionWhenIdle"/>), so a state query about a
    /// server that is gone asks the registry and answers UnknownServer.
    /// </summary>
    private void RetireIfIdle()
    {
        if (_operation is null && !_failover.IsRunning && !_proxy.IsRunning && _status.State == ConnectionState.Main)
        {
            Context.Parent.Tell(new ServerConnectionRetired(_server));
        }
    }

    private void StopIfAsked()
    {
        if (_stopWhenIdle && _operation is null)
        {
            Context.Stop(Self);
        }
    }

    private bool FromOperation(IActorRef sender) =>
        _operation is { } operation && (sender.Equals(operation.Child) || sender.Path.ToStringWithoutAddress().StartsWith(operation.PathPrefix, StringComparison.Ordinal));

    /// <summary>Whoever still waits for this connection is answered: it stops for good (engine shutdown, a fault of its own).</summary>
    protected override void PostStop()
    {
        _operation?.ReplyTo.Tell(new ClientRequestFailed(_operation.RequestId,
            new ClientError(ClientErrorKind.Internal, $"the connection of {_server} stopped before the operation ended")));
        base.PostStop();
    }

    /// <summary>The running operation: its actor, who waits for it and where the state machine stood when it started.</summary>
    private sealed record RunningOperation(IActorRef Child, string PathPrefix, string RequestId, IActorRef ReplyTo, ConnectionState StartState);
}
