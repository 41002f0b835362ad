using Akka.Actor;

namespace EduVpnActors.Actors.ProxyGuard;

/// <summary>The actors that follow a proxy's state, watched so that a stopped one is dropped.</summary>
internal sealed class Subscribers
{
    private readonly HashSet<IActorRef> _actors = [];

    public void Add(IActorRef subscriber, IActorContext context)
    {
        if (_actors.Add(subscriber))
        {
            context.Watch(subscriber);
        }
    }

    public void Remove(IActorRef subscriber, IActorContext context)
    {
        if (_actors.Remove(subscriber))
        {
            context.Unwatch(subscriber);
        }
    }

    public void Tell(object message)
    {
        foreach (var subscriber in _actors)
        {
            subscriber.Tell(message);
        }
    }
}
