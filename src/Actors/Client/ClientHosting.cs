using Akka.Hosting;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Hosting;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Actors.Sessions;

namespace EduVpnActors.Actors.Client;

/// <summary>Starts the client (<c>/user/client</c>): the front door for host requests, one connection per server below it.</summary>
public static class ClientHosting
{
    /// <summary>
    /// The client, registered under <see cref="ClientActorKey"/>; it talks to the discovery cache, the registry and
    /// the sessions, so those are added first (<see cref="DiscoveryHosting.WithDiscoveryCache"/>,
    /// <see cref="RegistryHosting.WithServerRegistry"/>, <see cref="SessionsHosting.WithServerSessions"/>).
    /// </summary>
    public static AkkaConfigurationBuilder WithClient(this AkkaConfigurationBuilder builder, EngineServices services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        return builder.WithActors((system, registry) =>
        {
            var dependencies = services.ClientDependencies(registry.Get<DiscoveryActorKey>(), registry.Get<RegistryActorKey>(), registry.Get<SessionsActorKey>());
            registry.Register<ClientActorKey>(system.ActorOf(ClientActor.Props(dependencies), "client"));
        });
    }
}

/// <summary>Key of the client actor (the front door for messages) in the <see cref="ActorRegistry"/>.</summary>
public sealed class ClientActorKey
{
    private ClientActorKey()
    {
    }
}
