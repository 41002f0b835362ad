using Akka.Actor;
using EduVpnActors.Actors.Client;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Servers;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Actors.WireGuard;

namespace EduVpnActors.Actors.Hosting;

/// <summary>
/// The engine's top-level actors in one actor system. The persistent ones sit behind a storage guard
/// (<see cref="Persistence.StorageGuardActor"/>) so a journal failure (which stops a persistent actor) is
/// retried with back-off instead of leaving a dead reference, and no request is left unanswered.
/// </summary>
public sealed class EngineRuntime : IDisposable
{
    private EngineRuntime(ActorSystem system, EngineHttpClient http, ClientSettings clientSettings,
        IActorRef discovery, IActorRef registry, IActorRef sessions, IActorRef client)
    {
        System = system;
        Http = http;
        ClientSettings = clientSettings;
        Discovery = discovery;
        Registry = registry;
        Sessions = sessions;
        Client = client;
    }

    /// <summary>The actor system the engine runs in.</summary>
    public ActorSystem System { get; }

    /// <summary>The one HTTP client of the engine (https only, size caps, time-outs).</summary>
    public EngineHttpClient Http { get; }

    /// <summary>How configurations are asked for (<c>eduvpn.connection</c>).</summary>
    public ClientSettings ClientSettings { get; }

    /// <summary>The discovery cache (answers <c>GetServerList</c>, <c>SearchServers</c>, …).</summary>
    public IActorRef Discovery { get; }

    /// <summary>The server registry (answers every <c>IRegistryRequest</c>: added servers, choices, import).</summary>
    public IActorRef Registry { get; }

    /// <summary>The server sessions (takes <c>SessionEnvelope</c>s: OAuth and API calls per server).</summary>
    public IActorRef Sessions { get; }

    /// <summary>The client flow (takes <c>IClientRequest</c>s: add, get config, cleanup, renew, remove).</summary>
    public IActorRef Client { get; }

    /// <summary>
    /// Starts the engine's actors in <paramref name="system"/>, configured from its HOCON.
    /// <paramref name="tokenProtector"/> encrypts the stored OAuth tokens (null: <see cref="AesGcmTokenProtector"/>
    /// with its key file in the data directory). <paramref name="failover"/> is how failover probes ping and
    /// read the tunnel's received bytes (null: real ICMP and <c>/sys/class/net</c>; a host with its own tunnel
    /// library passes its counter here).
    /// </summary>
    /// <exception cref="Persistence.StorageException"><see cref="Persistence.StorageProblemKind.TokenKeyDamaged"/>: the default protector's key file is not a key.</exception>
    public static EngineRuntime Start(ActorSystem system, TimeProvider? time = null, ITokenProtector? tokenProtector = null, FailoverDependencies? failover = null)
    {
        time ??= TimeProvider.System;
        // [storage] the data directory lock taken when the storage was prepared ends with this system.
        Persistence.EngineLocks.ReleaseWhenTerminated(system);
        SchedulerWarmup.Start(system);
        var config = system.Settings.Config;
        var http = new EngineHttpClient(HttpPolicy.FromConfig(config, ClientIdentity.UserAgent(config)));
        var discovery = system.ActorOf(Supervised(DiscoveryActor.Props(DiscoverySettings.FromConfig(config), http, time), "discovery-cache"), "discovery");
        var registry = system.ActorOf(Supervised(ServerRegistryActor.Props(time), "server-registry"), "registry");
        var sessions = system.ActorOf(Supervised(
            ServerSessionsActor.Props(SessionSettings.FromConfig(config), http, tokenProtector ?? AesGcmTokenProtector.FromConfig(config), time),
            "server-sessions"), "sessions");
        var clientSettings = ClientSettings.FromConfig(config);
        var client = system.ActorOf(ClientActor.Props(new ClientDependencies(discovery, registry, sessions, clientSettings, LoopbackFreePorts.Instance, time,
            FailoverSettings.FromConfig(config), failover)), "client");
        return new EngineRuntime(system, http, clientSettings, discovery, registry, sessions, client);
    }

    internal static Props Supervised(Props child, string childName) =>
        // [storage] restarts with back-off like BackoffSupervisor did, but answers every request it cannot pass on and
        // gives up (typed storage errors) after a bounded number of failed recoveries instead of restarting forever.
        Persistence.StorageGuardActor.Props(child, childName);

    /// <inheritdoc/>
    public void Dispose() => Http.Dispose();
}
