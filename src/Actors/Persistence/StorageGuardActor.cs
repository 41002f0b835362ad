using Akka.Actor;
using Akka.Event;

namespace EduVpnActors.Actors.Persistence;

/// <summary>How a <see cref="StorageGuardActor"/> restarts its persistent child.</summary>
/// <param name="MaxFailedStarts">Stops in a row without a completed recovery after which the guard gives up.</param>
/// <param name="MinBackoff">The pause before the first restart (and after a stop that followed a good recovery).</param>
/// <param name="MaxBackoff">The longest pause; it doubles with each failed start up to this.</param>
public sealed record StorageGuardSettings(int MaxFailedStarts, TimeSpan MinBackoff, TimeSpan MaxBackoff)
{
    /// <summary>Five failed starts (about 3 s of retries), 200 ms doubling to 10 s.</summary>
    public static readonly StorageGuardSettings Default = new(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));

    /// <summary>The pause before the restart that follows <paramref name="failedStarts"/> failed starts in a row.</summary>
    public TimeSpan BackoffAfter(int failedStarts)
    {
        var factor = Math.Pow(2, Math.Clamp(failedStarts - 1, 0, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(MinBackoff.Ticks * factor, MaxBackoff.Ticks));
        return delay < MinBackoff ? MinBackoff : delay;
    }
}

/// <summary>A persistent actor tells its parent that its recovery completed (<see cref="Report"/>); a guard counts starts by it.</summary>
public sealed class PersistentActorRecovered : INoSerializationVerificationNeeded, IDeadLetterSuppression
{
    /// <summary>The one instance.</summary>
    public static readonly PersistentActorRecovered Instance = new();

    private PersistentActorRecovered()
    {
    }

    /// <summary>Sent from the actor's <c>RecoveryCompleted</c> handler.</summary>
    public static void Report(IActorContext context) => context.Parent.Tell(Instance, context.Self);
}

/// <summary>
/// Keeps a persistent actor (the discovery cache, the registry, a session) available and never leaves a
/// requester waiting. The child is started again after it stops (a journal failure stops a persistent actor),
/// after a back-off; requests that arrive meanwhile wait here for it. Requests the child received but never
/// handled when it stopped (they reach the dead letters) are answered with the typed storage error of
/// <see cref="StorageRefusals"/>. When the child stops <see cref="StorageGuardSettings.MaxFailedStarts"/> times in
/// a row without completing its recovery, the storage cannot be read: the guard gives up and answers every
/// request with that typed error instead of restarting it forever.
/// </summary>
public sealed class StorageGuardActor : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private const string RestartTimerKey = "restart";

    private readonly Props _childProps;
    private readonly string _childName;
    private readonly StorageGuardSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _child = ActorRefs.Nobody;
    private bool _recovered;
    private int _failedStarts;
    private string _gaveUpReason = "";

    /// <summary>Creates the guard; use <see cref="Props"/>.</summary>
    public StorageGuardActor(Props child, string childName, StorageGuardSettings settings)
    {
        _childProps = child;
        _childName = childName;
        _settings = settings;
        Running();
    }

    /// <summary>Requests held while the child is restarted (set by Akka).</summary>
    public IStash Stash { get; set; } = null!;

    /// <summary>The restart timer (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A guard around <paramref name="child"/>, started as <paramref name="childName"/>.</summary>
    public static Props Props(Props child, string childName, StorageGuardSettings? settings = null) =>
        Akka.Actor.Props.Create(() => new StorageGuardActor(child, childName, settings ?? StorageGuardSettings.Default));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
        StartChild();
    }

    /// <inheritdoc/>
    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void StartChild()
    {
        _recovered = false;
        _child = Context.Watch(Context.ActorOf(_childProps, _childName));
    }

    private void Running()
    {
        Receive<PersistentActorRecovered>(_ =>
        {
            if (Sender.Equals(_child))
            {
                _recovered = true;
                _failedStarts = 0;
            }
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_child), _ => ChildStopped());
        Receive<DeadLetter>(RefuseUnhandled);
        ReceiveAny(message => _child.Forward(message));
    }

    private void BackingOff()
    {
        Receive<RestartChild>(_ =>
        {
            StartChild();
            Become(Running);
            Stash.UnstashAll();
        });
        Receive<DeadLetter>(RefuseUnhandled);
        Receive<Terminated>(_ => { });
        Receive<PersistentActorRecovered>(_ => { });
        ReceiveAny(_ => Stash.Stash());
    }

    private void GaveUp()
    {
        Receive<DeadLetter>(RefuseUnhandled);
        Receive<Terminated>(_ => { });
        Receive<PersistentActorRecovered>(_ => { });
        ReceiveAny(message => Refuse(message, Sender, _gaveUpReason));
    }

    private void ChildStopped()
    {
        _child = ActorRefs.Nobody;
        if (!_recovered)
        {
            _failedStarts++;
        }
        if (_failedStarts >= _settings.MaxFailedStarts)
        {
            _gaveUpReason = $"The engine's storage of the {_childName} could not be read ({_failedStarts} starts failed in a row); "
                + "it is not used until the engine starts again (run `repair` to check the database).";
            _log.Error("{Child}: {Failed} starts failed in a row; requests are refused with a storage error from now on", _childName, _failedStarts);
            foreach (var held in Stash.ClearStash())
            {
                Refuse(held.Message, held.Sender, _gaveUpReason);
            }
            Become(GaveUp);
            return;
        }
        var delay = _settings.BackoffAfter(_failedStarts);
        _log.Warning("{Child} stopped ({Failed} failed starts in a row); it starts again in {Delay}", _childName, _failedStarts, delay);
        Timers.StartSingleTimer(RestartTimerKey, RestartChild.Instance, delay);
        Become(BackingOff);
    }

    /// <summary>Answers what reached the child's mailbox (or stash) but was never handled when it stopped.</summary>
    private void RefuseUnhandled(DeadLetter letter)
    {
        if (letter.Recipient.Path.Parent.Equals(Self.Path) && letter.Recipient.Path.Name == _childName)
        {
            Refuse(letter.Message, letter.Sender, $"The {_childName} stopped before it handled the request (its storage failed); nothing was changed.");
        }
    }

    private void Refuse(object message, IActorRef sender, string reason)
    {
        if (sender.IsNobody() || sender.Equals(Context.System.DeadLetters))
        {
            return;
        }
        if (StorageRefusals.For(message, reason) is { } refusal)
        {
            sender.Tell(refusal);
        }
    }

    private sealed class RestartChild : INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly RestartChild Instance = new();
    }
}
