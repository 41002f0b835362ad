using Akka.Actor;
using Akka.Event;
using EduVpnActors.Messages.Failover;
using static EduVpnActors.Actors.Failover.ProbeIo;

namespace EduVpnActors.Actors.Failover;

/// <summary>
/// One failover probe (eduvpn-common §8, client rules §4.7): after <see cref="StartProbe"/> it reads
/// the received-bytes counter, sends echo 1, waits the reply time-out, then sends the remaining
/// echoes one interval apart and reads the counter again one interval after the last. A matching
/// reply at any moment ends the probe early with "not dropped". Cancellable in every phase.
/// The verdict goes to the requester and the state subscribers; then the actor stops.
/// </summary>
public sealed class FailoverProbeActor : ReceiveActor, IWithTimers
{
    private const string ReplyTimeoutKey = "reply-timeout";
    private const string PingKey = "ping";

    private readonly FailoverSettings _settings;
    private readonly FailoverDependencies _dependencies;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _subscribers = [];

    private string _probeId;
    private StartProbe? _request;
    private IActorRef _requester = ActorRefs.Nobody;
    private ProbeTiming _timing;
    private ProbeIo? _io;
    private ProbePhase _phase = ProbePhase.Pending;
    private long? _rxBefore;
    private int _echoesSent;
    private DateTimeOffset _startedAt;
    private bool _finished;

    /// <summary>Creates the probe actor of one probe run; use <see cref="Props"/>.</summary>
    public FailoverProbeActor(string probeId, FailoverSettings settings, FailoverDependencies dependencies)
    {
        _probeId = probeId;
        _settings = settings;
        _dependencies = dependencies;
        _timing = settings.Timing;
        Pending();
    }

    /// <summary>The actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A probe actor; send it <see cref="StartProbe"/>. <paramref name="probeId"/> names it in verdicts sent before the start.</summary>
    public static Props Props(string probeId, FailoverSettings settings, FailoverDependencies? dependencies = null) =>
        // A producer instead of an expression tree: hosts start thousands of probes, each Props counts.
        Akka.Actor.Props.CreateBy(new Producer(probeId, settings, dependencies ?? FailoverDependencies.Default));

    private void Pending()
    {
        Receive<StartProbe>(Start);
        HandleCommon();
    }

    private void MeasuringStart()
    {
        Receive<RxRead>(read =>
        {
            _rxBefore = read.Bytes;
            Become(Probing);
            Timers.StartSingleTimer(ReplyTimeoutKey, ReplyTimeoutElapsed.Instance, _timing.ReplyTimeout);
            ListenForReply();
            SendNextEcho();
        });
        HandleFailures();
        HandleCommon();
    }

    private void Probing()
    {
        Receive<ReplyTimeoutElapsed>(_ =>
        {
            // Armed before the send: once a test (or anyone) sees the echo, the next tick is due.
            Timers.StartPeriodicTimer(PingKey, PingTick.Instance, _timing.Interval);
            SendNextEcho();
        });
        Receive<PingTick>(_ => SendNextEcho());
        Receive<EchoSent>(_ => { });
        Receive<ReplyReceived>(OnReply);
        HandleFailures();
        HandleCommon();
    }

    private void MeasuringEnd()
    {
        Receive<RxRead>(read => Finish(FailoverDecision.Decide(false, _rxBefore!.Value, read.Bytes), replySeen: false, rxAfter: read.Bytes));
        Receive<ReplyReceived>(OnReply);
        Receive<EchoSent>(_ => { });
        HandleFailures();
        HandleCommon();
    }

    private void HandleFailures()
    {
        Receive<StepFailed>(failed =>
        {
            if (failed.Error.Kind == ProbeErrorKind.Cancelled && _io?.Stopped == true)
            {
                return;
            }
            FinishWithError(failed.Error, rxAfter: null);
        });
        Receive<ListenFailed>(failed =>
            // eduvpn-common ignores read errors as well; the counter still decides.
            _log.Warning("Probe {ProbeId}: no more replies can be received ({Reason}); the counter decides", _probeId, failed.Reason));
    }

    private void HandleCommon()
    {
        Receive<CancelProbe>(cancel =>
        {
            if (cancel.ProbeId == _probeId)
            {
                FinishWithError(new ProbeError(ProbeErrorKind.Cancelled, "failover was stopped: the probe was cancelled"), rxAfter: null);
            }
        });
        Receive<StartProbe>(start => Sender.Tell(ErrorVerdict(
            start.ProbeId,
            new ProbeError(ProbeErrorKind.DuplicateProbeId, "this probe actor has already been started"), 0, null, null, 0)));
        Receive<SubscribeProbeState>(subscribe =>
        {
            if (_subscribers.Add(subscribe.Subscriber))
            {
                Context.Watch(subscribe.Subscriber);
            }
            subscribe.Subscriber.Tell(new ProbeStateChanged(_probeId, _phase, _echoesSent));
        });
        Receive<UnsubscribeProbeState>(unsubscribe =>
        {
            if (_subscribers.Remove(unsubscribe.Subscriber))
            {
                Context.Unwatch(unsubscribe.Subscriber);
            }
        });
        Receive<Terminated>(terminated => _subscribers.Remove(terminated.ActorRef));
    }

    private void Start(StartProbe start)
    {
        _request = start;
        _probeId = start.ProbeId;
        _requester = Sender;
        _timing = start.Timing ?? _settings.Timing;
        _startedAt = Context.System.Scheduler.Now;

        var mtuError = FailoverDecision.PayloadLength(start.Mtu, FailoverDecision.Overhead(start.Gateway, _settings), out var payloadLength);
        var invalid = mtuError ?? FailoverDecision.ValidateTiming(_timing) ?? FailoverDecision.ValidateGateway(start.Gateway);
        if (invalid is not null)
        {
            FinishWithError(invalid, rxAfter: null);
            return;
        }
        _io = ProbeIo.Open(_dependencies, start, payloadLength, out var openError);
        if (_io is null)
        {
            FinishWithError(openError!, rxAfter: null);
            return;
        }

        Become(MeasuringStart);
        ReadCounter();
        SetPhase(ProbePhase.MeasuringStart);
    }

    /// <summary>Sends the next echo (subscribers see the count), or moves to the final counter read when all were sent.</summary>
    private void SendNextEcho()
    {
        if (_echoesSent >= _timing.Count)
        {
            Timers.Cancel(PingKey);
            Become(MeasuringEnd);
            ReadCounter();
            SetPhase(ProbePhase.MeasuringEnd);
            return;
        }
        var sequence = ++_echoesSent;
        _io!.SendEcho(sequence).PipeTo(Self);
        SetPhase(ProbePhase.Probing);
    }

    private void ReadCounter() => _io!.ReadCounter().PipeTo(Self);

    private void ListenForReply() => _io!.ReceiveReply().PipeTo(Self);

    private void OnReply(ReplyReceived reply)
    {
        if (_log.IsDebugEnabled)
        {
            _log.Debug("Probe {ProbeId}: echo reply {Sequence}", _probeId, reply.Sequence);
        }
        Finish(ProbeOutcome.NotDropped, replySeen: true, rxAfter: null);
    }

    private void Finish(ProbeOutcome outcome, bool replySeen, long? rxAfter) =>
        SendVerdict(new ProbeVerdict(_probeId, outcome, _echoesSent, replySeen, _rxBefore, rxAfter, ElapsedMs(), null));

    private void FinishWithError(ProbeError error, long? rxAfter) =>
        SendVerdict(ErrorVerdict(_probeId, error, _echoesSent, _rxBefore, rxAfter, ElapsedMs()));

    private void SendVerdict(ProbeVerdict verdict)
    {
        if (Publish(verdict))
        {
            Timers.CancelAll();
            Context.Stop(Self);
        }
    }

    /// <summary>Sends the verdict once; false if it was already sent.</summary>
    private bool Publish(ProbeVerdict verdict)
    {
        if (_finished)
        {
            return false;
        }
        _finished = true;
        _io?.Stop();
        _phase = ProbePhase.Finished;
        _requester.Tell(verdict);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(new ProbeStateChanged(_probeId, ProbePhase.Finished, _echoesSent));
            subscriber.Tell(verdict);
        }
        if (_log.IsInfoEnabled)
        {
            _log.Info("Probe {ProbeId} to {Gateway}: {Outcome} after {EchoesSent} echoes, {ElapsedMs} ms {ErrorKind}",
                _probeId, _request?.Gateway, verdict.Outcome, verdict.EchoesSent, verdict.ElapsedMs, verdict.Error?.Kind);
        }
        return true;
    }

    private void SetPhase(ProbePhase phase)
    {
        _phase = phase;
        var changed = new ProbeStateChanged(_probeId, phase, _echoesSent);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(changed);
        }
    }

    private long ElapsedMs() =>
        _request is null ? 0 : (long)(Context.System.Scheduler.Now - _startedAt).TotalMilliseconds;

    private static ProbeVerdict ErrorVerdict(string probeId, ProbeError error, int echoesSent, long? rxBefore, long? rxAfter, long elapsedMs) =>
        new(probeId, ProbeOutcome.Error, echoesSent, false, rxBefore, rxAfter, elapsedMs, error);

    /// <inheritdoc/>
    protected override void PostStop()
    {
        // Stopped by the parent (e.g. the connection went away) or after a crash: still answer.
        Publish(ErrorVerdict(_probeId, new ProbeError(ProbeErrorKind.Stopped, "the probe stopped before it reached a verdict"),
            _echoesSent, _rxBefore, null, ElapsedMs()));
        _io?.Dispose();
        base.PostStop();
    }

    private sealed class Producer(string probeId, FailoverSettings settings, FailoverDependencies dependencies) : IIndirectActorProducer
    {
        public Type ActorType => typeof(FailoverProbeActor);

        public ActorBase Produce() => new FailoverProbeActor(probeId, settings, dependencies);

        public void Release(ActorBase actor)
        {
        }
    }

    private sealed record ReplyTimeoutElapsed : INoSerializationVerificationNeeded, IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static ReplyTimeoutElapsed Instance { get; } = new();
    }

    private sealed record PingTick : INoSerializationVerificationNeeded, IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static PingTick Instance { get; } = new();
    }
}
