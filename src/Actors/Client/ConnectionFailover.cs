using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using EduVpnActors.Actors.Api;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Actors.Client;

/// <summary>
/// The one failover probe a connection runs for its host (one tunnel, one probe at a time): who asked,
/// and how it ends early. Owned by the connection actor and used on its thread only.
/// </summary>
internal sealed class ConnectionFailover
{
    private Running? _running;

    /// <summary>True while a probe runs (until its verdict arrived, also after it was told to stop).</summary>
    public bool IsRunning => _running is not null;

    /// <summary>
    /// Starts the probe <paramref name="start"/> asks for, as the connection's child <paramref name="name"/>, for the sender; null,
    /// or why not (the tunnel is not up, a probe runs already, no gateway is known). Its verdict comes to the connection first.
    /// </summary>
    public ClientError? Start(StartFailover start, ConnectionState state, VpnConfiguration? configuration, ClientDependencies deps, string name, IActorContext context)
    {
        if (!FailoverStart.IsTunnelUp(state))
        {
            return new ClientError(ClientErrorKind.InvalidState, $"failover probes a tunnel that is up; the connection is {state}");
        }
        if (_running is not null)
        {
            return new ClientError(ClientErrorKind.Busy, "a failover probe of this tunnel is already running");
        }
        if (FailoverStart.Gateway(start.Gateway, configuration, out var error) is not { } gateway)
        {
            return error;
        }
        var probeId = $"{start.Server}#{name}";
        var probe = context.ActorOf(Failover.FailoverProbeActor.Props(probeId, deps.Failover, deps.FailoverDependencies), name);
        _running = new Running(probe, probeId, context.Sender, start.RequestId);
        probe.Tell(new StartProbe(probeId, gateway, start.Mtu, start.InterfaceName));
        return null;
    }

    /// <summary>Asks the running probe to stop with a Cancelled verdict; false when none runs.</summary>
    public bool Cancel()
    {
        if (_running is not { } running)
        {
            return false;
        }
        running.Probe.Tell(new CancelProbe(running.ProbeId));
        return true;
    }

    /// <summary>
    /// The tunnel went down: a verdict about it would mean nothing. The probe is stopped (its verdict:
    /// Stopped, sent as it stops); the requester still hears from it.
    /// </summary>
    public void StopIfTunnelDown(ConnectionState state, IActorContext context)
    {
        if (_running is { Stopping: false } running && !FailoverStart.IsTunnelUp(state))
        {
            _running = running with { Stopping = true };
            context.Stop(running.Probe);
        }
    }

    /// <summary>Who waits for <paramref name="verdict"/> and for which request; null when it is not the running probe's.</summary>
    public (IActorRef Requester, string RequestId)? Finished(ProbeVerdict verdict)
    {
        if (_running is not { } running || running.ProbeId != verdict.ProbeId)
        {
            return null;
        }
        _running = null;
        return (running.Requester, running.RequestId);
    }

    private sealed record Running(IActorRef Probe, string ProbeId, IActorRef Requester, string RequestId, bool Stopping = false);
}

/// <summary>Pure checks before a failover probe starts: the tunnel state and the gateway to ping.</summary>
public static class FailoverStart
{
    /// <summary>Only a tunnel that is coming up or up can be probed.</summary>
    public static bool IsTunnelUp(ConnectionState state) => state is ConnectionState.Connecting or ConnectionState.Connected;

    /// <summary>
    /// The gateway to ping: <paramref name="given"/> when the host names one, else the first host of the
    /// WireGuard configuration's address (IPv4 first). Null with <paramref name="error"/> when there is none.
    /// </summary>
    public static IPAddress? Gateway(string? given, VpnConfiguration? configuration, out ClientError? error)
    {
        error = null;
        if (given is not null)
        {
            if (IPAddress.TryParse(given, out var parsed))
            {
                return parsed;
            }
            error = new ClientError(ClientErrorKind.InvalidState, $"'{given}' is not an IP address");
            return null;
        }
        var reason = "pass the gateway";
        if (configuration is { Protocol: not VpnProtocol.OpenVpn })
        {
            try
            {
                var gateways = Api.Gateway.FromWireGuardConfig(configuration.Config);
                if ((gateways.FirstOrDefault(g => g.AddressFamily == AddressFamily.InterNetwork) ?? gateways.FirstOrDefault()) is { } found)
                {
                    return found;
                }
            }
            catch (ApiException e)
            {
                reason = $"the configuration has none ({e.Kind}); pass the gateway";
            }
        }
        // OpenVPN learns its addresses from the server at run time: only the host knows the gateway.
        error = new ClientError(ClientErrorKind.InvalidState, $"no gateway is known for this tunnel; {reason}");
        return null;
    }
}
