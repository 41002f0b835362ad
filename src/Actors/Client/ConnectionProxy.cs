using Akka.Actor;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.Client;

/// <summary>
/// The one ProxyGuard client a connection runs for its WireGuard-over-TCP configuration (one tunnel, one proxy). The
/// host's requests are forwarded to the proxy, which answers the host itself; its state changes come back here to be
/// published. Owned by the connection actor and used on its thread only.
/// </summary>
internal sealed class ConnectionProxy
{
    private IActorRef? _proxy;
    private int _proxies;

    /// <summary>Whether a proxy runs (from set-up until it stopped).</summary>
    public bool IsRunning => _proxy is not null;

    /// <summary>Creates the proxy for <paramref name="configuration"/>'s <c>ProxySettings</c> and forwards the set-up; null, or why not.</summary>
    public ClientError? SetUp(SetUpServerProxy request, VpnConfiguration? configuration, ClientDependencies deps, IActorContext context)
    {
        if (configuration?.Proxy is not { } proxy)
        {
            return new ClientError(ClientErrorKind.InvalidState, "the connection has no WireGuard-over-TCP configuration to carry; get one with prefer TCP first");
        }
        if (_proxy is not null)
        {
            return new ClientError(ClientErrorKind.Busy, "a ProxyGuard client of this connection already runs; stop it first");
        }
        _proxy = context.Watch(context.ActorOf(ProxyGuardActor.Props(deps.ProxyGuard, deps.ProxyGuardOptions), $"proxyguard-{++_proxies}"));
        _proxy.Tell(new SubscribeProxyGuardState(context.Self));
        _proxy.Tell(new SetUpProxyGuard(request.RequestId, proxy.Peer, request.ListenPort ?? proxy.ListenPort, request.TcpSourcePort ?? proxy.SourcePort,
            request.Fwmark, PeerIps: null, request.SocketSetup), context.Sender);
        return null;
    }

    /// <summary>Forwards a run of the tunnel to the proxy; false when none is set up.</summary>
    public bool Run(RunServerProxy request, IActorContext context)
    {
        _proxy?.Tell(new StartProxyGuardTunnel(request.RequestId, request.WireGuardPort), context.Sender);
        return _proxy is not null;
    }

    /// <summary>Stops the proxy (its ports are freed as it stops); false when none ran.</summary>
    public bool Stop(IActorContext context)
    {
        if (_proxy is not { } proxy)
        {
            return false;
        }
        _proxy = null;
        // Watched until it is gone: its last state change (Stopped) is still published.
        context.Stop(proxy);
        return true;
    }

    /// <summary>The tunnel is down (Disconnected, Main): a proxy would carry nothing; the host sets it up again to reconnect.</summary>
    public void StopIfTunnelDown(ConnectionState state, IActorContext context)
    {
        if (state is ConnectionState.Disconnected or ConnectionState.Main)
        {
            Stop(context);
        }
    }

    /// <summary>Whether <paramref name="stopped"/> was this connection's proxy (it is forgotten).</summary>
    public bool Terminated(IActorRef stopped)
    {
        if (_proxy?.Equals(stopped) != true)
        {
            return false;
        }
        _proxy = null;
        return true;
    }
}
