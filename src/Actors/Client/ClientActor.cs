using Akka.Actor;
using EduVpnActors.Actors.Api;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client;

/// <summary>
/// The engine's front door for the client flow: routes every server request to that server's
/// <see cref="ServerConnectionActor"/> (one per server, so several servers can be connected at once)
/// and re-publishes every connection's state changes to the host's subscribers.
/// </summary>
public sealed class ClientActor : ReceiveActor
{
    private readonly ClientDependencies _deps;
    private readonly Dictionary<ServerId, IActorRef> _connections = new();
    private readonly Dictionary<IActorRef, ServerId> _serverOf = new();
    private readonly HashSet<IActorRef> _subscribers = [];
    private long _children;

    /// <summary>Creates the client actor; hosts use <see cref="Props"/>.</summary>
    public ClientActor(ClientDependencies deps)
    {
        _deps = deps;
        Receive<AddServer>(OnAdd);
        Receive<IServerRequest>(request => ConnectionOf(request.Server).Forward(request));
        Receive<SubscribeClientStates>(s =>
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
        Receive<ConnectionStateChanged>(change =>
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Tell(change);
            }
        });
        Receive<Terminated>(t =>
        {
            _subscribers.Remove(t.ActorRef);
            if (_serverOf.Remove(t.ActorRef, out var server))
            {
                _connections.Remove(server);
            }
        });
    }

    /// <summary>Props for the client with its dependencies.</summary>
    public static Props Props(ClientDependencies deps) => Akka.Actor.Props.Create(() => new ClientActor(deps));

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
}
