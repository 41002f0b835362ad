using Akka.Hosting;
using EduVpnActors.Actors.Hosting;

namespace EduVpnActors.Actors.Discovery;

/// <summary>Starts the discovery cache (<c>/user/discovery/discovery-cache</c>).</summary>
public static class DiscoveryHosting
{
    /// <summary>The discovery cache, registered under <see cref="DiscoveryActorKey"/>.</summary>
    public static AkkaConfigurationBuilder WithDiscoveryCache(this AkkaConfigurationBuilder builder, EngineServices services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        return builder.WithActors((system, registry) => registry.Register<DiscoveryActorKey>(system.ActorOf(
            PersistentSupervision.BackOff(DiscoveryActor.Props(services.Discovery, services.Http, services.Time), "discovery-cache"), "discovery")));
    }
}

/// <summary>Key of the discovery actor in the <see cref="ActorRegistry"/>.</summary>
public sealed class DiscoveryActorKey
{
    private DiscoveryActorKey()
    {
    }
}
