using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace EduVpnActors.Actors.Persistence;

/// <summary>
/// The journal work a persistent actor has asked for and not yet seen answered: the clean-up it owes its
/// journal (events and snapshots a newer snapshot or event made obsolete), and writes it runs in the
/// background. Done so that short-lived processes finish it too: replies that depend on it are held until
/// it is answered (<see cref="WhenDone"/>), and the actor system's coordinated shutdown waits for it, a few
/// seconds at most (<see cref="JournalWorkShutdown"/>). Owned by one actor and changed on its thread only;
/// the journal's own time-outs (its circuit breaker) bound every wait, and <see cref="ActorStopped"/>
/// releases held replies when the actor stops.
/// </summary>
internal sealed class JournalWork
{
    private readonly Action<long> _deleteMessages;
    private readonly Action<SnapshotSelectionCriteria> _deleteSnapshots;
    private readonly ILoggingAdapter _log;
    private readonly string _owner;
    private readonly JournalWorkShutdown _shutdown;
    private readonly List<Action> _waiting = [];
    private volatile TaskCompletionSource _idle = Completed();
    private int _pending;

    /// <summary>Binds the actor's own delete calls (protected members of the persistent actor) and joins the shutdown wait.</summary>
    public JournalWork(ActorSystem system, string owner, Action<long> deleteMessages, Action<SnapshotSelectionCriteria> deleteSnapshots, ILoggingAdapter log)
    {
        _owner = owner;
        _deleteMessages = deleteMessages;
        _deleteSnapshots = deleteSnapshots;
        _log = log;
        _shutdown = JournalWorkShutdown.Get(system);
        _shutdown.Track(this);
    }

    /// <summary>Some work has been asked for and not answered yet.</summary>
    public bool Busy => _pending > 0;

    /// <summary>Completes once nothing is pending (read by the shutdown wait, on another thread).</summary>
    public Task Idle => _idle.Task;

    /// <summary>Whether <paramref name="message"/> is one of the answers <see cref="Handle"/> takes.</summary>
    public static bool IsAnswer(object message) => message is SaveSnapshotSuccess or SaveSnapshotFailure
        or DeleteMessagesSuccess or DeleteMessagesFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure;

    /// <summary>Call right before <c>SaveSnapshot</c>: its success deletes the older events and snapshots.</summary>
    public void SnapshotRequested() => Started();

    /// <summary>Deletes the events up to <paramref name="toSequenceNr"/> (for actors whose newest event replaces the ones before).</summary>
    public void DeleteEventsUpTo(long toSequenceNr)
    {
        Started();
        _deleteMessages(toSequenceNr);
    }

    /// <summary>A write nobody waits for (a background refresh) has begun; <see cref="WriteEnded"/> when its callback or failure ran.</summary>
    public void WriteStarted() => Started();

    /// <summary>The write of <see cref="WriteStarted"/> was answered.</summary>
    public void WriteEnded() => Answered();

    /// <summary>Runs <paramref name="then"/> now, or once every piece of work asked for so far has been answered.</summary>
    public void WhenDone(Action then)
    {
        if (_pending == 0)
        {
            then();
        }
        else
        {
            _waiting.Add(then);
        }
    }

    /// <summary>
    /// Handles the journal's and snapshot store's answers to the clean-up; false for any other message.
    /// A failed delete only costs space (the next snapshot deletes everything before it again).
    /// </summary>
    public bool Handle(object message)
    {
        switch (message)
        {
            case SaveSnapshotSuccess saved:
                // The snapshot holds everything up to its sequence number; what is older only costs space.
                Started();
                Started();
                _deleteMessages(saved.Metadata.SequenceNr);
                _deleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                _log.Warning(failed.Cause, "{Owner}: the snapshot failed; the journal keeps the events", _owner);
                break;
            case DeleteMessagesSuccess:
            case DeleteSnapshotsSuccess:
                break;
            case DeleteMessagesFailure failed:
                _log.Warning(failed.Cause, "{Owner}: could not delete events up to {SequenceNr}", _owner, failed.ToSequenceNr);
                break;
            case DeleteSnapshotsFailure failed:
                _log.Warning(failed.Cause, "{Owner}: could not delete older snapshots", _owner);
                break;
            default:
                return false;
        }
        Answered();
        return true;
    }

    /// <summary>The actor stops: held continuations run now (a late clean-up must not cost an answer) and the shutdown stops waiting for it.</summary>
    public void ActorStopped()
    {
        _pending = 0;
        _shutdown.Untrack(this);
        RunWaiting();
        _idle.TrySetResult();
    }

    private void Started()
    {
        if (_pending++ == 0)
        {
            _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void Answered()
    {
        if (_pending > 0 && --_pending == 0)
        {
            RunWaiting();
            _idle.TrySetResult();
        }
    }

    private void RunWaiting()
    {
        var waiting = _waiting.ToArray();
        _waiting.Clear();
        foreach (var then in waiting)
        {
            then();
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}

/// <summary>
/// Makes the actor system's coordinated shutdown (which a console command runs right after its answer) wait
/// for the journal work in flight, <see cref="MaxWait"/> at most, before the actors are stopped.
/// </summary>
internal sealed class JournalWorkShutdown : IExtension
{
    /// <summary>Longer than a SQLite delete or snapshot takes, shorter than the shutdown phase's own limit (5 s).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<JournalWork, byte> _tracked = new();

    private JournalWorkShutdown(ExtendedActorSystem system) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "eduvpn-journal-work", WaitAsync);

    public static JournalWorkShutdown Get(ActorSystem system) => system.WithExtension<JournalWorkShutdown, Provider>();

    public void Track(JournalWork work) => _tracked.TryAdd(work, 0);

    public void Untrack(JournalWork work) => _tracked.TryRemove(work, out _);

    private async Task<Done> WaitAsync()
    {
        try
        {
            await Task.WhenAll(_tracked.Keys.Select(w => w.Idle)).WaitAsync(MaxWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Only space is at stake: the next snapshot deletes what this one could not.
        }
        return Done.Instance;
    }

    private sealed class Provider : ExtensionIdProvider<JournalWorkShutdown>
    {
        public override JournalWorkShutdown CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
