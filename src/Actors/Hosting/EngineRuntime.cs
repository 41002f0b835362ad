using Akka.Actor;
using Akka.Configuration;
using Akka.Pattern;
using EduVpnActors.Actors.Discovery;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Servers;

namespace EduVpnActors.Actors.Hosting;

/// <summary>
/// The engine's top-level actors in one actor system, each behind a back-off supervisor so a
/// journal failure (which stops a persistent actor) is retried instead of leaving a dead reference.
/// </summary>
public sealed class EngineRuntime : IDisposable
{
    private EngineRuntime(ActorSystem system, EngineHttpClient http, IActorRef discovery, IActorRef registry)
    {
        System = system;
        Http = http;
        Discovery = discovery;
        Registry = registry;
    }

    public ActorSystem System { get; }
    public EngineHttpClient Http { get; }

    /// <summary>The discovery cache (answers <c>GetServerList</c>, <c>SearchServers</c>, …).</summary>
    public IActorRef Discovery { get; }

    /// <summary>The server registry (answers every <c>IRegistryRequest</c>: added servers, choices, import).</summary>
    public IActorRef Registry { get; }

    /// <summary>Starts the engine's actors in <paramref name="system"/>, configured from its HOCON.</summary>
    public static EngineRuntime Start(ActorSystem system, string userAgent, TimeProvider? time = null)
    {
        var config = system.Settings.Config;
        var http = new EngineHttpClient(HttpPolicy.FromConfig(config, userAgent));
        var discoveryProps = DiscoveryActor.Props(DiscoverySettings.FromConfig(config), http, time);
        var discovery = system.ActorOf(Supervised(discoveryProps, "discovery-cache"), "discovery");
        var registry = system.ActorOf(Supervised(ServerRegistryActor.Props(time), "server-registry"), "registry");
        return new EngineRuntime(system, http, discovery, registry);
    }

    internal static Props Supervised(Props child, string childName) =>
        BackoffSupervisor.Props(Backoff.OnStop(child, childName, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1));

    public void Dispose() => Http.Dispose();
}
