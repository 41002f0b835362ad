using System.Net;
using EduVpnActors.Actors.ProxyGuard.Framing;
using EduVpnActors.Actors.ProxyGuard.Handshake;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard.Transport;

/// <summary>The UDP pump ended: with a failure of the listen socket, or (Error null) because the tunnel stopped.</summary>
internal sealed record UdpPumpEnded(ProxyGuardError? Error) : Akka.Actor.INoSerializationVerificationNeeded, Akka.Event.IDeadLetterSuppression;

/// <summary>
/// The sockets, queue and buffers of one proxy, owned by its actor: the listen socket from set-up on,
/// the rest once the tunnel runs. <see cref="Dispose"/> frees both ports at once, on the calling thread.
/// </summary>
internal sealed class ProxyGuardTunnel : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly TunnelCounters _counters = new();
    private readonly WireGuardSocket _wireGuard;
    private readonly ProxyGuardSettings _settings;
    private readonly ProxyGuardOptions _options;
    private readonly ProxyGuardPeer _peer;
    private readonly DialPlan _dial;
    private AttemptContext? _context;
    private bool _disposed;

    /// <param name="settings">Time-outs and queue size.</param>
    /// <param name="options">User-Agent and extra root.</param>
    /// <param name="peer">The parsed peer URL.</param>
    /// <param name="addresses">The peer addresses resolved at set-up.</param>
    /// <param name="setUp">Source port, fwmark and hook.</param>
    /// <param name="wireGuard">The bound listen socket (the tunnel owns it from now on).</param>
    public ProxyGuardTunnel(ProxyGuardSettings settings, ProxyGuardOptions options, ProxyGuardPeer peer,
        IReadOnlyList<IPAddress> addresses, SetUpProxyGuard setUp, WireGuardSocket wireGuard)
    {
        _settings = settings;
        _options = options;
        _peer = peer;
        _wireGuard = wireGuard;
        _dial = new DialPlan(addresses, peer.Port, setUp.TcpSourcePort, setUp.Fwmark, setUp.SocketSetup);
    }

    /// <summary>The listen port.</summary>
    public int ListenPort => _wireGuard.Port;

    /// <summary>Whether <see cref="Start"/> ran.</summary>
    public bool Running => _context is not null;

    /// <summary>Points the listen socket at WireGuard's port and makes the queue; null, or why not.</summary>
    public ProxyGuardError? Start(int wireGuardPort)
    {
        if (wireGuardPort is < 1 or > 65535)
        {
            return new ProxyGuardError(ProxyGuardErrorKind.InvalidArgument, $"WireGuard's port {wireGuardPort} is not between 1 and 65535");
        }
        try
        {
            // A UDP connect only sets the peer address: no packet, no wait.
            _wireGuard.ConnectTo(wireGuardPort);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            return new ProxyGuardError(ProxyGuardErrorKind.UdpSocketFailed, $"the listen socket could not be pointed at 127.0.0.1:{wireGuardPort}: {e.SocketErrorCode}");
        }
        _context = new AttemptContext(_settings, _peer, UpgradeRequest.Build(_peer, _options.UserAgent), _options.ExtraTrustedCertificate,
            _dial, new FrameQueue(_settings.QueueBytes), _wireGuard, _counters);
        return null;
    }

    /// <summary>The UDP pump for the tunnel's whole life; completes when the tunnel stops or the socket fails.</summary>
    public async Task<UdpPumpEnded> RunUdpPumpAsync()
    {
        try
        {
            await _wireGuard.RunReceiveLoopAsync(Context.Queue, _stopping.Token).ConfigureAwait(false);
            return new UdpPumpEnded(null);
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            return new UdpPumpEnded(null);
        }
        catch (ProxyGuardException e)
        {
            return new UdpPumpEnded(e.Error);
        }
        catch (Exception e)
        {
            // Nothing else is expected; a pump that died unseen would leave a tunnel that carries nothing.
            return new UdpPumpEnded(new ProxyGuardError(ProxyGuardErrorKind.UdpSocketFailed, $"the UDP pump failed: {e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>Runs attempt number <paramref name="attempt"/>; one at a time.</summary>
    public Task<AttemptEnded> RunAttemptAsync(int attempt, Action<object> report) =>
        TunnelAttempt.RunAsync(Context, attempt, report, _stopping.Token);

    /// <summary>The counters now.</summary>
    public ProxyGuardCounters Counters() => _counters.Snapshot(_context?.Queue);

    /// <summary>Stops the pumps and closes the TCP connection (with a reset) and the listen socket.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stopping.Cancel();
        _context?.Queue.Complete();
        _context?.Connection.CloseForGood();
        _wireGuard.Dispose();
        // _stopping is not disposed: attempts still finishing read and link its (cancelled) token.
    }

    private AttemptContext Context => _context ?? throw new InvalidOperationException("the tunnel has not been started");
}
