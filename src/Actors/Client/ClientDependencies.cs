using Akka.Actor;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Actors.WireGuard;

namespace EduVpnActors.Actors.Client;

/// <summary>What a connection needs from the rest of the engine.</summary>
public sealed record ClientDependencies(
    IActorRef Discovery,
    IActorRef Registry,
    IActorRef Sessions,
    ClientSettings Settings,
    IFreePortAllocator Ports,
    TimeProvider Time,
    FailoverSettings Failover,
    FailoverDependencies? FailoverDependencies = null)
{
    /// <summary>How a connection's ProxyGuard client runs (WireGuard over TCP); default: <c>hocon/proxyguard.conf</c>'s values.</summary>
    public ProxyGuardSettings ProxyGuard { get; init; } = ProxyGuardSettings.Default;

    /// <summary>The ProxyGuard client's User-Agent and extra trusted root.</summary>
    public ProxyGuardOptions ProxyGuardOptions { get; init; } = new(ProxyGuardUserAgent.For("EduVpnActors", ProxyGuardUserAgent.LibraryVersion));
}
