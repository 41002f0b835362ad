using Akka.Actor;
using Akka.Event;
using EduVpnActors.Actors.Api;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client;

/// <summary>
/// The engine's front door for the client flow: routes every server request to that server's
/// <see cref="ServerConnectionActor"/> (one per server, so several servers can be connected at once)
/// and re-publishes every connection's state changes (and failover verdicts) to the host's subscribers. A state query about
/// a server without a connection asks the registry first, so an unknown server answers UnknownServer
/// instead of a fresh connection's Main; a connection whose server is gone is stopped. A connection that
/// fails stops (it answers whoever waits on it as it stops), and the next request starts a fresh one.
/// </summary>
public sealed class ClientActor : ReceiveActor, IWithTimers
{
    private readonly ClientDependencies _deps;
    private readonly Dictionary<ServerId, IActorRef> _connections = new();
    private readonly Dictionary<IActorRef, ServerId> _serverOf = new();
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly Dictionary<string, (IActorRef ReplyTo, GetServerConnectionState Query)> _stateQueries = new();
    private long _children;
    private long _queries;

    /// <summary>Creates the client actor; hosts use <see cref="Props"/>.</summary>
    public ClientActor(ClientDependencies deps)
    {
        _deps = deps;
        Receive<AddServer>(OnAdd);
        Receive<GetServerConnectionState>(OnStateQuery);
        // Without a connection nothing runs there: answer at once instead of making one that would stay.
        Receive<CancelOperation>(cancel => !_connections.ContainsKey(cancel.Server),
            cancel => Sender.Tell(new OperationCancelled(cancel.RequestId, WasRunning: false)));
        Receive<CancelFailover>(cancel => !_connections.ContainsKey(cancel.Server),
            cancel => Sender.Tell(new OperationCancelled(cancel.RequestId, WasRunning: false)));
        Receive<IServerRequest>(request => ConnectionOf(request.Server).Forward(request));
        Receive<ServerRecords>(OnRecords);
        Receive<RegistryRequestFailed>(refused =>
        {
            if (_stateQueries.Remove(refused.RequestId, out var pending))
            {
                Timers.Cancel(refused.RequestId);
                pending.ReplyTo.Tell(new ClientRequestFailed(pending.Query.RequestId, ClientErrors.FromRegistry(refused)));
            }
        });
        Receive<StateQueryDeadline>(deadline =>
        {
            if (_stateQueries.Remove(deadline.RequestId, out var pending))
            {
                pending.ReplyTo.Tell(new ClientRequestFailed(pending.Query.RequestId, new ClientError(ClientErrorKind.Timeout,
                    $"the registry did not answer within {_deps.Settings.ReplyTimeout.TotalSeconds:0.###} seconds")));
            }
        });
        Receive<ServerConnectionRetired>(retired =>
        {
            // Only the connection we route to; a newer one for the same server stays.
            if (_connections.TryGetValue(retired.Server, out var connection) && connection.Equals(Sender))
            {
                _connections.Remove(retired.Server);
                _serverOf.Remove(Sender);
                // After the requests already routed to it, which it still answers.
                Sender.Tell(StopConnectionWhenIdle.Instance);
            }
        });
        Receive<SubscribeClientStates>(s => s.Subscriber is not null, s =>
        {
            if (_subscribers.Add(s.Subscriber))
            {
                Context.Watch(s.Subscriber);
            }
        });
        Receive<UnsubscribeClientStates>(s =>
        {
            _subscribers.Remove(s.Subscriber);
            Context.Unwatch(s.Subscriber);
        });
        Receive<ConnectionStateChanged>(Publish);
        Receive<FailoverVerdictReady>(Publish);
        Receive<ServerProxyStateChanged>(Publish);
        Receive<Terminated>(t =>
        {
            _subscribers.Remove(t.ActorRef);
            if (_serverOf.Remove(t.ActorRef, out var server))
            {
                _connections.Remove(server);
            }
        });
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the client with its dependencies.</summary>
    public static Props Props(ClientDependencies deps) => Akka.Actor.Props.Create(() => new ClientActor(deps));

    /// <summary>A connection that fails stops instead of restarting empty: its waiting requester is answered as it stops.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        Context.GetLogger().Error(e, "A server connection failed; it is stopped and the next request starts a fresh one");
        return Directive.Stop;
    });

    /// <summary>
    /// Before a restart (a fault of this actor): pending state queries are answered, and the host's subscriptions are
    /// sent to the next incarnation (the mailbox survives a restart), so no caller waits and no stream goes silent.
    /// The connections stop with the old incarnation and answer their own requesters.
    /// </summary>
    protected override void PreRestart(Exception reason, object message)
    {
        foreach (var pending in _stateQueries.Values)
        {
            pending.ReplyTo.Tell(new ClientRequestFailed(pending.Query.RequestId,
                new ClientError(ClientErrorKind.Internal, "the engine's client restarted before the state was known")));
        }
        foreach (var subscriber in _subscribers)
        {
            Self.Tell(new SubscribeClientStates(subscriber));
        }
        base.PreRestart(reason, message);
    }

    private void Publish(object notification)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(notification);
        }
    }

    private void OnStateQuery(GetServerConnectionState query)
    {
        if (_connections.TryGetValue(query.Server, out var connection))
        {
            connection.Forward(query);
            return;
        }
        var id = $"client#state-{++_queries}";
        _stateQueries[id] = (Sender, query);
        Timers.StartSingleTimer(id, new StateQueryDeadline(id), _deps.Settings.ReplyTimeout);
        _deps.Registry.Tell(new GetServerRecords(id));
    }

    private void OnRecords(ServerRecords records)
    {
        if (!_stateQueries.TryGetValue(records.RequestId, out var pending))
        {
            return;
        }
        // Decided before the query is let go: should the reply be malformed, the query is still pending and is
        // answered as this actor restarts.
        var known = records.Servers.Any(s => s.Id == pending.Query.Server);
        _stateQueries.Remove(records.RequestId);
        Timers.Cancel(records.RequestId);
        if (known)
        {
            ConnectionOf(pending.Query.Server).Tell(pending.Query, pending.ReplyTo);
            return;
        }
        pending.ReplyTo.Tell(new ClientRequestFailed(pending.Query.RequestId, ClientErrors.UnknownServer(pending.Query.Server)));
    }

    private void OnAdd(AddServer add)
    {
        ServerId id;
        try
        {
            // The id is known before discovery answers: the normalised URL, or the organization id.
            id = add.Type == ServerType.SecureInternet
                ? new ServerId(add.Type, add.Identifier)
                : new ServerId(add.Type, UrlRules.EnsureValidUrl(add.Identifier));
        }
        catch (ApiException e)
        {
            Sender.Tell(new ClientRequestFailed(add.RequestId, new ClientError(ClientErrorKind.InvalidUrl, e.Message)));
            return;
        }
        ConnectionOf(id).Forward(add);
    }

    private IActorRef ConnectionOf(ServerId server)
    {
        if (_connections.TryGetValue(server, out var connection))
        {
            return connection;
        }
        connection = Context.ActorOf(ServerConnectionActor.Props(server, _deps), $"connection-{++_children}");
        Context.Watch(connection);
        _connections[server] = connection;
        _serverOf[connection] = server;
        return connection;
    }

    /// <summary>The registry did not answer the state query <paramref name="RequestId"/> in time.</summary>
    private sealed record StateQueryDeadline(string RequestId) : INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout, IDeadLetterSuppression;
}

/// <summary>A connection tells the client that its server is gone and it is idle in Main.</summary>
internal sealed record ServerConnectionRetired(ServerId Server) : INoSerializationVerificationNeeded;

/// <summary>The client no longer routes to this connection: stop once the running operation (if any) is answered.</summary>
internal sealed record StopConnectionWhenIdle : INoSerializationVerificationNeeded
{
    public static readonly StopConnectionWhenIdle Instance = new();
}
