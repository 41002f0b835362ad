using System.Threading.Channels;
using Akka.Actor;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Facade;

/// <summary>WireGuard over TCP: eduvpn-common's three ProxyGuard calls, typed and cancellable.</summary>
public sealed partial class EduVpnEngine
{
    /// <summary>Raised for every state change of every server's ProxyGuard client (on an engine thread: do not block).</summary>
    public event EventHandler<ServerProxyStateChanged>? ProxyGuardStateChanged;

    /// <summary>
    /// Sets up the ProxyGuard client of the server's WireGuard-over-TCP configuration (eduvpn-common's <c>NewProxyguard</c> and
    /// <c>ProxyguardPeerIPs</c>): the UDP listen port on 127.0.0.1 is bound and the peer resolved, once. Route the returned
    /// <see cref="ProxyGuardReady.PeerIps"/> outside the tunnel, point WireGuard at <see cref="ProxyGuardReady.ListenPort"/>, then
    /// call <see cref="RunProxyGuardAsync"/>. The connection stops the proxy when the tunnel is down (Disconnected) or another
    /// operation starts.
    /// </summary>
    /// <param name="server">The server whose configuration (from <see cref="GetConfigAsync"/> with prefer TCP) has <c>Proxy</c> settings.</param>
    /// <param name="listenPort">UDP listen port (null: the configuration's; 0: any free one).</param>
    /// <param name="tcpSourcePort">TCP source port (null: the configuration's; 0: the system chooses).</param>
    /// <param name="fwmark">SO_MARK for the TCP socket on Linux when greater than 0.</param>
    /// <param name="socketSetup">Called on every TCP socket before connect (keep it out of the VPN).</param>
    /// <param name="cancellationToken">Cancels the set-up (and stops the proxy).</param>
    /// <exception cref="EduVpnException"><see cref="ClientErrorKind.ProxyGuard"/> (port in use, DNS) or <see cref="ClientErrorKind.InvalidState"/> (no such configuration).</exception>
    public async Task<ProxyGuardReady> SetUpProxyGuardAsync(ServerId server, int? listenPort = null, int? tcpSourcePort = null, int fwmark = 0,
        ProxySocketSetup? socketSetup = null, CancellationToken cancellationToken = default)
    {
        object reply;
        using (cancellationToken.Register(() => Client.Tell(new StopServerProxy(NextRequestId(), server))))
        {
            var setUpTime = Runtime.Services.ProxyGuard.ResolveTimeout + Runtime.ClientSettings.QueryDeadline;
            reply = await AskAsync(Client, new SetUpServerProxy(NextRequestId(), server, listenPort, tcpSourcePort, fwmark, socketSetup), setUpTime, CancellationToken.None).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return reply switch
        {
            ProxyGuardReady ready => ready,
            ProxyGuardSetUpFailed failed => throw ProxyGuardError(failed.Error),
            ClientRequestFailed failed => throw new EduVpnException(failed.Error, Culture),
            _ => Expect<ProxyGuardReady>(reply),
        };
    }

    /// <summary>
    /// Runs the set-up proxy's tunnel towards WireGuard's UDP port (eduvpn-common's <c>ProxyguardTunnel</c>) and returns when it
    /// ends: normally when the proxy is stopped (by <see cref="StopProxyGuardAsync"/> or the connection), with
    /// <see cref="ClientErrorKind.ProxyGuard"/> when it fails for good. Cancelling <paramref name="cancellationToken"/> stops the
    /// proxy, waits for its ports to be free, and throws.
    /// </summary>
    public async Task RunProxyGuardAsync(ServerId server, int wireGuardPort, CancellationToken cancellationToken = default)
    {
        var states = Channel.CreateUnbounded<ServerProxyStateChanged>(new UnboundedChannelOptions { SingleReader = true });
        Action<object> write = notification =>
        {
            if (notification is ServerProxyStateChanged change && change.Server == server)
            {
                states.Writer.TryWrite(change);
            }
        };
        // Subscribed before the run is asked for, so its end cannot be missed.
        var bridge = Runtime.System.ActorOf(Props.Create(() => new NotificationBridge(write)));
        Client.Tell(new SubscribeClientStates(bridge));
        try
        {
            var reply = await AskAsync(Client, new RunServerProxy(NextRequestId(), server, wireGuardPort), Runtime.ClientSettings.QueryDeadline, cancellationToken).ConfigureAwait(false);
            switch (reply)
            {
                case ProxyGuardRequestRefused refused:
                    throw ProxyGuardError(refused.Error);
                case ClientRequestFailed failed:
                    throw new EduVpnException(failed.Error, Culture);
            }
            using var stop = cancellationToken.Register(() => Client.Tell(new StopServerProxy(NextRequestId(), server)));
            // The stop (ours, the connection's or the host's) ends in Stopped; nothing else needs a deadline here:
            // the proxy runs until then by design, as eduvpn-common's call blocks.
            string? proxy = null;
            await foreach (var change in states.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                // The run starts waiting for traffic: that names this run's proxy; a former proxy's last words are not its end.
                proxy ??= change.State.Phase == ProxyGuardPhase.WaitingForTraffic ? change.ProxyId : null;
                if (proxy is null || change.ProxyId != proxy)
                {
                    continue;
                }
                switch (change.State.Phase)
                {
                    case ProxyGuardPhase.Failed:
                        throw ProxyGuardError(change.State.Error!);
                    case ProxyGuardPhase.Stopped:
                        cancellationToken.ThrowIfCancellationRequested();
                        return;
                }
            }
        }
        finally
        {
            Client.Tell(new UnsubscribeClientStates(bridge));
            Runtime.System.Stop(bridge);
        }
    }

    /// <summary>Stops the server's proxy (the host's cancel); true when one ran. Its ports are free once <see cref="RunProxyGuardAsync"/> returned.</summary>
    public async Task<bool> StopProxyGuardAsync(ServerId server, CancellationToken cancellationToken = default) =>
        Expect<OperationCancelled>(await RequestAsync(new StopServerProxy(NextRequestId(), server), null, cancellationToken).ConfigureAwait(false)).WasRunning;

    private EduVpnException ProxyGuardError(ProxyGuardError error) =>
        new(new ClientError(ClientErrorKind.ProxyGuard, $"ProxyGuard: {error.Kind}: {error.Message}") { ProxyGuard = error }, Culture);
}
