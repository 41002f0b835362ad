using System.Net;
using Akka.Actor;
using Akka.Event;
using EduVpnActors.Actors.ProxyGuard.Handshake;
using EduVpnActors.Actors.ProxyGuard.Transport;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Actors.ProxyGuard;

/// <summary>
/// One ProxyGuard client (WireGuard over TCP, proxyguard.md), one per tunnel. <see cref="SetUpProxyGuard"/>
/// binds the listen port and resolves the peer once; <see cref="StartProxyGuardTunnel"/> runs the tunnel
/// towards WireGuard's port: lazily connected on WireGuard's first datagram, attempts again after the
/// back-off of <see cref="RestartPolicy"/>, failed for good on a fatal error. Every phase goes to the
/// subscribers as a <see cref="ProxyGuardStateChanged"/>. The datagrams never pass through the mailbox:
/// the pumps are tasks of <see cref="ProxyGuardTunnel"/>, which this actor owns and closes when it stops.
/// </summary>
public sealed class ProxyGuardActor : ReceiveActor, IWithTimers
{
    private const string BackoffTimer = "backoff";

    private readonly ProxyGuardSettings _settings;
    private readonly ProxyGuardOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Subscribers _subscribers = new();
    private readonly CancellationTokenSource _setUpCancel = new();
    private PendingSetUp? _pending;
    private ProxyGuardTunnel? _tunnel;
    private string _peer = "";
    private RestartState _restart = RestartState.Initial;
    private int _attempt;
    private ProxyGuardStateChanged _state = new(ProxyGuardPhase.NotSetUp, 0, null, null, null, ProxyGuardCounters.Zero);
    private bool _stopped;

    /// <summary>Creates the actor; use <see cref="Props"/>.</summary>
    public ProxyGuardActor(ProxyGuardSettings settings, ProxyGuardOptions options)
    {
        _settings = settings;
        _options = options;
        NotSetUp();
    }

    /// <summary>The actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A proxy; send it <see cref="SetUpProxyGuard"/>, then <see cref="StartProxyGuardTunnel"/>.</summary>
    public static Props Props(ProxyGuardSettings settings, ProxyGuardOptions options) =>
        Akka.Actor.Props.Create(() => new ProxyGuardActor(settings, options));

    private void NotSetUp()
    {
        Receive<SetUpProxyGuard>(SetUp);
        Receive<StartProxyGuardTunnel>(start => Refuse(start.RequestId, "the proxy is not set up yet"));
        HandleCommon();
    }

    private void SettingUp()
    {
        Receive<PeerResolved>(resolved => CompleteSetUp(resolved.Addresses));
        Receive<ResolveFailed>(failed =>
        {
            var pending = _pending!;
            _pending = null;
            pending.Socket.Dispose();
            pending.Requester.Tell(new ProxyGuardSetUpFailed(pending.Request.RequestId, failed.Error));
            Become(NotSetUp);
            Publish(ProxyGuardPhase.NotSetUp, failed.Error);
        });
        RefuseSetUpAndStart("the proxy is being set up");
    }

    private void Ready()
    {
        Receive<StartProxyGuardTunnel>(StartTunnel);
        Receive<SetUpProxyGuard>(setUp => Sender.Tell(new ProxyGuardSetUpFailed(setUp.RequestId, InvalidState("the proxy is set up already"))));
        HandleCommon();
    }

    private void WaitingForTraffic() => Running();

    private void Connecting() => Running();

    private void Connected() => Running();

    private void BackingOff()
    {
        Receive<BackoffElapsed>(elapsed =>
        {
            if (elapsed.Attempt == _attempt)
            {
                StartAttempt();
            }
        });
        Running();
    }

    private void Failed() => RefuseSetUpAndStart("the tunnel failed; stop this proxy and make a new one");

    private void Running()
    {
        Receive<AttemptConnecting>(connecting => OnProgress(connecting.Attempt, ProxyGuardPhase.Connecting, Connecting, null));
        Receive<AttemptConnected>(connected => OnProgress(connected.Attempt, ProxyGuardPhase.Connected, Connected, connected.Server));
        Receive<AttemptEnded>(OnAttemptEnded);
        Receive<UdpPumpEnded>(ended =>
        {
            if (ended.Error is not null)
            {
                Fail(ended.Error);
            }
        });
        RefuseSetUpAndStart("the tunnel runs already");
    }

    private void RefuseSetUpAndStart(string why)
    {
        Receive<SetUpProxyGuard>(setUp => Sender.Tell(new ProxyGuardSetUpFailed(setUp.RequestId, InvalidState(why))));
        Receive<StartProxyGuardTunnel>(start => Refuse(start.RequestId, why));
        HandleCommon();
    }

    private void HandleCommon()
    {
        Receive<StopProxyGuard>(stop =>
        {
            Shutdown();
            Sender.Tell(new ProxyGuardStopped(stop.RequestId));
            Context.Stop(Self);
        });
        Receive<GetProxyGuardState>(get => Sender.Tell(new CurrentProxyGuardState(get.RequestId, _state with { Counters = CountersNow() })));
        Receive<SubscribeProxyGuardState>(subscribe =>
        {
            _subscribers.Add(subscribe.Subscriber, Context);
            subscribe.Subscriber.Tell(_state with { Counters = CountersNow() });
        });
        Receive<UnsubscribeProxyGuardState>(unsubscribe => _subscribers.Remove(unsubscribe.Subscriber, Context));
        Receive<Terminated>(terminated => _subscribers.Remove(terminated.ActorRef, Context));
        // Reports of an attempt or pump that ended while the phase moved on.
        Receive<AttemptConnecting>(_ => { });
        Receive<AttemptConnected>(_ => { });
        Receive<AttemptEnded>(_ => { });
        Receive<UdpPumpEnded>(_ => { });
        Receive<BackoffElapsed>(_ => { });
    }

    private void SetUp(SetUpProxyGuard request)
    {
        if (SetUpArguments.Invalid(request) is { } invalid || !ProxyGuardPeer.TryParse(request.Peer, out var peer, out invalid))
        {
            Sender.Tell(new ProxyGuardSetUpFailed(request.RequestId, invalid));
            return;
        }
        WireGuardSocket socket;
        try
        {
            // Binding is one non-blocking system call.
            socket = WireGuardSocket.Bind(request.ListenPort);
        }
        catch (ProxyGuardException e)
        {
            Sender.Tell(new ProxyGuardSetUpFailed(request.RequestId, e.Error));
            return;
        }
        _peer = peer.Url.GetLeftPart(UriPartial.Authority);
        _pending = new PendingSetUp(request, Sender, socket, peer);
        IReadOnlyList<IPAddress>? known = request.PeerIps is { Count: > 0 } given ? given : peer.Address is { } literal ? [literal] : null;
        if (known is not null)
        {
            CompleteSetUp(known);
            return;
        }
        Become(SettingUp);
        Publish(ProxyGuardPhase.SettingUp);
        SetUpArguments.ResolveAsync(_options.Resolve, peer.DnsHost, _settings.ResolveTimeout, _setUpCancel.Token).PipeTo(Self);
    }

    private void CompleteSetUp(IReadOnlyList<IPAddress> addresses)
    {
        var pending = _pending!;
        _pending = null;
        _tunnel = new ProxyGuardTunnel(_settings, _options, pending.Peer, addresses, pending.Request, pending.Socket);
        Become(Ready);
        Publish(ProxyGuardPhase.Ready);
        pending.Requester.Tell(new ProxyGuardReady(pending.Request.RequestId, pending.Socket.Port, addresses));
    }

    private void StartTunnel(StartProxyGuardTunnel start)
    {
        if (_tunnel!.Start(start.WireGuardPort) is { } refused)
        {
            Sender.Tell(new ProxyGuardRequestRefused(start.RequestId, refused));
            return;
        }
        Sender.Tell(new ProxyGuardTunnelStarted(start.RequestId, start.WireGuardPort));
        _tunnel.RunUdpPumpAsync().PipeTo(Self);
        StartAttempt();
    }

    private void StartAttempt()
    {
        _attempt++;
        Become(WaitingForTraffic);
        Publish(ProxyGuardPhase.WaitingForTraffic);
        var self = Self;
        _tunnel!.RunAttemptAsync(_attempt, message => self.Tell(message)).PipeTo(Self);
    }

    private void OnProgress(int attempt, ProxyGuardPhase phase, Action behaviour, string? server)
    {
        if (attempt != _attempt)
        {
            return;
        }
        Become(behaviour);
        Publish(phase, server: server);
    }

    private void OnAttemptEnded(AttemptEnded ended)
    {
        if (ended.Attempt != _attempt || ended.Error is null)
        {
            return;
        }
        var decision = RestartPolicy.Decide(_settings, _restart, ended.Error, ended.Duration);
        if (!decision.Retry)
        {
            Fail(decision.Fatal!);
            return;
        }
        _restart = decision.Next;
        Become(BackingOff);
        Publish(ProxyGuardPhase.Reconnecting, ended.Error, decision.Wait);
        Timers.StartSingleTimer(BackoffTimer, new BackoffElapsed(_attempt), decision.Wait);
    }

    private void Fail(ProxyGuardError error)
    {
        Timers.CancelAll();
        _tunnel?.Dispose();
        Become(Failed);
        Publish(ProxyGuardPhase.Failed, error);
    }

    private void Shutdown()
    {
        Timers.CancelAll();
        _setUpCancel.Cancel();
        _pending?.Socket.Dispose();
        _pending = null;
        _tunnel?.Dispose();
        if (!_stopped)
        {
            _stopped = true;
            Publish(ProxyGuardPhase.Stopped);
        }
    }

    private void Publish(ProxyGuardPhase phase, ProxyGuardError? error = null, TimeSpan? retryIn = null, string? server = null)
    {
        _state = new ProxyGuardStateChanged(phase, _attempt, error, retryIn, server, CountersNow());
        _subscribers.Tell(_state);
        if (error is null)
        {
            _log.Info("ProxyGuard {Peer}: {Phase} (attempt {Attempt})", _peer, phase, _attempt);
        }
        else
        {
            _log.Warning("ProxyGuard {Peer}: {Phase} (attempt {Attempt}) after {ErrorKind}: {ErrorMessage}", _peer, phase, _attempt, error.Kind, error.Message);
        }
    }

    private ProxyGuardCounters CountersNow() => _tunnel?.Counters() ?? _state.Counters;

    private void Refuse(string requestId, string why) => Sender.Tell(new ProxyGuardRequestRefused(requestId, InvalidState(why)));

    private static ProxyGuardError InvalidState(string why) => new(ProxyGuardErrorKind.InvalidState, why);

    /// <inheritdoc/>
    protected override void PostStop()
    {
        // Stopped by the parent, or after a crash: the ports are freed and the subscribers told all the same.
        Shutdown();
        base.PostStop();
    }

    private sealed record PendingSetUp(SetUpProxyGuard Request, IActorRef Requester, WireGuardSocket Socket, ProxyGuardPeer Peer);

    private sealed record BackoffElapsed(int Attempt) : INoSerializationVerificationNeeded, IDeadLetterSuppression, INotInfluenceReceiveTimeout;
}
