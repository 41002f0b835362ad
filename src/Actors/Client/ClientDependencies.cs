using Akka.Actor;
using EduVpnActors.Actors.Failover;
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
    FailoverDependencies? FailoverDependencies = null);
