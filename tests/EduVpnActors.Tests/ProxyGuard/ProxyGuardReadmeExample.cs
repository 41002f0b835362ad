using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>
/// The README's ProxyGuard example, compiled against the real API; <see cref="ProxyGuardReadmeExampleTests"/>
/// runs it against the double and checks that the README shows exactly the lines between the markers.
/// </summary>
internal static class ProxyGuardReadmeExample
{
    public static async Task<ProxyGuardReady> RunAsync(ActorSystem system, Config config, ProxySettings settings, int wireGuardListenPort,
        IActorRef listener, Action<nint> protect)
    {
        var wait = TimeSpan.FromSeconds(30);
        // README:begin
        var proxy = system.ActorOf(ProxyGuardActor.Props(ProxyGuardSettings.FromConfig(config), ProxyGuardOptions.FromConfig(config)));
        proxy.Tell(new SubscribeProxyGuardState(listener));                   // every ProxyGuardStateChanged, typed errors included
        var ready = (ProxyGuardReady)await proxy.Ask<object>(new SetUpProxyGuard("1", settings.Peer, settings.ListenPort,
            settings.SourcePort, SocketSetup: socket => protect(socket.Handle)), wait);
        // ready.ListenPort is WireGuard's Endpoint; route ready.PeerIps outside the tunnel, then bring WireGuard up.
        await proxy.Ask<object>(new StartProxyGuardTunnel("2", wireGuardListenPort), wait);   // ProxyGuardTunnelStarted
        // ... until Failed (with a typed ProxyGuardError) or, on StopProxyGuard or its parent stopping it, Stopped:
        await proxy.Ask<ProxyGuardStopped>(new StopProxyGuard("3"), wait);                    // both ports are free by now
        // README:end
        return ready;
    }
}
