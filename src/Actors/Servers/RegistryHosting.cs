using Akka.Hosting;
using EduVpnActors.Actors.Hosting;

namespace EduVpnActors.Actors.Servers;

/// <summary>Starts the server registry (<c>/user/registry/server-registry</c>).</summary>
public static class RegistryHosting
{
    /// <summary>The server registry, registered under <see cref="RegistryActorKey"/>.</summary>
    public static AkkaConfigurationBuilder WithServerRegistry(this AkkaConfigurationBuilder builder, EngineServices services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        return builder.WithActors((system, registry) => registry.Register<RegistryActorKey>(system.ActorOf(
            PersistentSupervision.BackOff(ServerRegistryActor.Props(services.Time), "server-registry"), "registry")));
    }
}

/// <summary>Key of the server registry actor in the <see cref="ActorRegistry"/>.</summary>
public sealed class RegistryActorKey
{
    private RegistryActorKey()
    {
    }
}
