using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Actors.Servers.Registry;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Servers;

/// <summary>
/// Owns the list of added servers and their remembered choices (the engine's replacement of
/// eduvpn-common's <c>state.json</c> server part). Every command is answered only after its events
/// are in the journal, so an acknowledged change survives a crash; a refused command stores nothing.
/// The rules live in <see cref="RegistryRules"/>.
/// </summary>
public sealed class ServerRegistryActor : ReceivePersistentActor
{
    /// <summary>The persistence id of the one server registry.</summary>
    public const string PersistenceIdValue = "server-registry";

    private readonly TimeProvider _time;
    private readonly ServerRegistrySettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly JournalWork _journalWork;
    private ServerRegistryState _state = ServerRegistryState.Empty;
    private long _snapshotSequenceNr;
    private PendingReply? _pending;

    /// <summary>Creates the registry actor; use <see cref="Props"/>.</summary>
    public ServerRegistryActor(TimeProvider time)
    {
        _time = time;
        _settings = ServerRegistrySettings.FromConfig(Context.System.Settings.Config);
        _journalWork = new JournalWork(Context.System, "Server registry", DeleteMessages, DeleteSnapshots, _log);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is ServerRegistrySnapshot snapshot)
            {
                _state = ServerRegistryState.FromSnapshot(snapshot);
                _snapshotSequenceNr = offer.Metadata.SequenceNr;
            }
        });
        Recover<IServerRegistryEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            StartupTrace.Mark("registry recovered");
            PersistentActorRecovered.Report(Context);
        });

        Command<IRegistryRequest>(Handle);
        Command<object>(m => _journalWork.Handle(m), JournalWork.IsAnswer);
    }

    /// <inheritdoc/>
    public override string PersistenceId => PersistenceIdValue;

    /// <summary>The registry; <paramref name="time"/> stamps added servers and choices (default: the system clock).</summary>
    public static Props Props(TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new ServerRegistryActor(time ?? TimeProvider.System));

    private void Handle(IRegistryRequest request)
    {
        var decision = RegistryRules.Decide(request, _state, _time.GetUtcNow());
        if (decision.Events.Count == 0)
        {
            Sender.Tell(decision.Reply);
            return;
        }
        var replyTo = Sender;
        _pending = new PendingReply(replyTo, request.RequestId);
        var remaining = decision.Events.Count;
        // One atomic write: an import (or any multi-event change) is stored entirely or not at all.
        PersistAll(decision.Events, e =>
        {
            _state = _state.Apply(e);
            if (--remaining > 0)
            {
                return;
            }
            _pending = null;
            if (decision.Reply is StateImported imported)
            {
                _log.Info("Imported eduvpn-common state v{FormatVersion}: {ServersAdded} server(s) added, {ServersAlreadyKnown} already known", imported.FormatVersion, imported.ServersAdded, imported.ServersAlreadyKnown);
            }
            SnapshotIfDue();
            // After the compaction it started: a console command exits right after this answer.
            _journalWork.WhenDone(() => replyTo.Tell(decision.Reply));
        });
    }

    private void SnapshotIfDue()
    {
        if (LastSequenceNr - _snapshotSequenceNr >= _settings.SnapshotEvery && !_journalWork.Busy)
        {
            _snapshotSequenceNr = LastSequenceNr;
            _journalWork.SnapshotRequested();
            SaveSnapshot(_state.ToSnapshot());
        }
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        // Answers held for a clean-up that will not finish now still go out.
        _journalWork.ActorStopped();
        base.PostStop();
    }

    /// <summary>The journal refused the events (e.g. serialization); the actor goes on, nothing was applied.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        FailPending(cause);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <summary>The journal failed; the actor stops after this (its back-off supervisor starts it again).</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        FailPending(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void FailPending(Exception cause)
    {
        // A batch is rejected event by event; its sender is answered once.
        if (_pending is not { } pending)
        {
            return;
        }
        _pending = null;
        pending.ReplyTo.Tell(new RegistryRequestFailed(pending.RequestId, RegistryErrorKind.StorageFailed,
            $"The change could not be stored ({cause.GetType().Name}: {cause.Message}); nothing was changed."));
    }

    private sealed record PendingReply(IActorRef ReplyTo, string RequestId);
}
