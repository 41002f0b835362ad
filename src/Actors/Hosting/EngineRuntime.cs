using Akka.Actor;
using Akka.Hosting;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Actors.Sessions;

namespace EduVpnActors.Actors.Hosting;

/// <summary>
/// The running engine: its actor system and its top-level actors, for hosts that send messages themselves.
/// The persistent ones sit behind a storage guard (<see cref="Persistence.StorageGuardActor"/>), so a journal
/// failure (which stops a persistent actor) is retried with back-off and no request is left unanswered.
/// </summary>
public sealed class EngineRuntime
{
    private EngineRuntime(ActorSystem system, EngineServices services, IActorRef discovery, IActorRef registry, IActorRef sessions, IActorRef client)
    {
        System = system;
        Services = services;
        Discovery = discovery;
        Registry = registry;
        Sessions = sessions;
        Client = client;
    }

    /// <summary>The actor system the engine runs in.</summary>
    public ActorSystem System { get; }

    /// <summary>What the actors share (configuration, settings, HTTP client, clock).</summary>
    public EngineServices Services { get; }

    /// <summary>The one HTTP client of the engine (https only, size caps, time-outs).</summary>
    public EngineHttpClient Http => Services.Http;

    /// <summary>How configurations are asked for (<c>eduvpn.connection</c>).</summary>
    public ClientSettings ClientSettings => Services.Client;

    /// <summary>The discovery cache (answers <c>GetServerList</c>, <c>SearchServers</c>, …).</summary>
    public IActorRef Discovery { get; }

    /// <summary>The server registry (answers every <c>IRegistryRequest</c>: added servers, choices, import).</summary>
    public IActorRef Registry { get; }

    /// <summary>The server sessions (takes <c>SessionEnvelope</c>s: OAuth and API calls per server).</summary>
    public IActorRef Sessions { get; }

    /// <summary>The client flow (takes <c>IClientRequest</c>s: add, get config, cleanup, renew, remove).</summary>
    public IActorRef Client { get; }

    /// <summary>The engine whose actors <see cref="ServiceCollectionExtensions.WithEduVpnEngine"/> registered in <paramref name="registry"/>.</summary>
    /// <exception cref="MissingActorRegistryEntryException">The engine's actors did not start.</exception>
    public static EngineRuntime From(ActorSystem system, IReadOnlyActorRegistry registry, EngineServices services)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(services);
        return new EngineRuntime(system, services, registry.Get<DiscoveryActorKey>(), registry.Get<RegistryActorKey>(),
            registry.Get<SessionsActorKey>(), registry.Get<ClientActorKey>());
    }
}
