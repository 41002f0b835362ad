using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Actors.Discovery;

/// <summary>
/// Owns the discovery cache: the only actor that fetches, verifies, remembers and searches the
/// server and organization lists. Callers never wait on each other's lists; callers of a list that is
/// being refreshed are answered together when the refresh ends, and always with data when any
/// verified copy exists (cache or bundled), plus a typed warning when the refresh failed.
/// </summary>
public sealed class DiscoveryActor : ReceivePersistentActor
{
    /// <summary>The persistence id of the one discovery cache.</summary>
    public const string PersistenceIdValue = "discovery-cache";

    private readonly DiscoverySettings _settings;
    private readonly DiscoveryFetcher _fetcher;
    private readonly MinisignVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<DiscoveryListKind, DiscoveryListRuntime> _lists = new()
    {
        [DiscoveryListKind.Servers] = new(),
        [DiscoveryListKind.Organizations] = new(),
    };
    private readonly JournalWork _journalWork;
    private DiscoveryCacheState _state = DiscoveryCacheState.Empty;
    private long _snapshotSequenceNr;
    // The fetched list whose event is being written: its waiters are answered even when the write fails.
    private FetchOutcome? _writing;

    /// <summary>Creates the discovery actor; use <see cref="Props"/>.</summary>
    public DiscoveryActor(DiscoverySettings settings, EngineHttpClient http, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _verifier = new MinisignVerifier(settings.TrustedKeys, settings.RequirePrehashed);
        _fetcher = new DiscoveryFetcher(http, _verifier, settings.BaseUrl);
        _journalWork = new JournalWork(Context.System, "Discovery cache", DeleteMessages, DeleteSnapshots, _log);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is DiscoverySnapshot snapshot)
            {
                _state = DiscoveryCacheState.FromSnapshot(snapshot);
                _snapshotSequenceNr = offer.Metadata.SequenceNr;
            }
        });
        Recover<DiscoveryListAccepted>(e => _state = _state.Apply(e));
        Recover<DiscoveryListConfirmed>(e => _state = _state.Apply(e));
        Recover<DiscoveryListDiscarded>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<GetServerList>(q => Handle(DiscoveryListKind.Servers, q, q.AllowRefresh, q.ForceRefresh));
        Command<SearchServers>(q => Handle(DiscoveryListKind.Servers, q, q.AllowRefresh, force: false));
        Command<GetOrganizationList>(q => Handle(DiscoveryListKind.Organizations, q, q.AllowRefresh, q.ForceRefresh, q.RespectBackOff));
        Command<SearchOrganizations>(q => Handle(DiscoveryListKind.Organizations, q, q.AllowRefresh, force: false));
        Command<StartupRefresh>(_ => StartFetchIfDue(DiscoveryListKind.Servers, allowRefresh: true, force: false));
        Command<FetchCompleted>(done => OnFetchCompleted(done.Outcome));
        Command<object>(m => _journalWork.Handle(m), JournalWork.IsAnswer);
    }

    /// <inheritdoc/>
    public override string PersistenceId => PersistenceIdValue;

    /// <summary>Props of the discovery actor (one per engine).</summary>
    public static Props Props(DiscoverySettings settings, EngineHttpClient http, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new DiscoveryActor(settings, http, time ?? TimeProvider.System));

    /// <inheritdoc/>
    protected override void PostStop()
    {
        // Answers held for a clean-up that will not finish now still go out.
        _journalWork.ActorStopped();
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void OnRecovered()
    {
        StartupTrace.Mark("discovery recovered");
        PersistentActorRecovered.Report(Context);
        // Official rule 13: the server list is fetched at every start.
        Self.Tell(StartupRefresh.Instance);
    }

    /// <summary>Verifies the stored copy of <paramref name="kind"/> when this run first needs it (a query, or a fetch that
    /// sends its version): a command that never asks for the organization list does not pay for checking it.</summary>
    private void EnsureLoaded(DiscoveryListKind kind)
    {
        // A damaged or edited database must not smuggle in a list the signature never covered.
        if (_lists[kind].LoadStored(kind, _state.Held(kind), _verifier) is { } reason)
        {
            _log.Warning("The cached {Kind} list does not verify any more and is set aside: {Reason}", kind, reason);
            Persist(new DiscoveryListDiscarded(kind, reason, NowMs), e => _state = _state.Apply(e));
        }
    }

    private void Handle(DiscoveryListKind kind, object query, bool allowRefresh, bool force, bool respectBackOff = false)
    {
        var list = _lists[kind];
        StartFetchIfDue(kind, allowRefresh, force, respectBackOff);
        if (list.Fetching)
        {
            list.Waiters.Add((Sender, query));
            return;
        }
        Sender.Tell(Answer(kind, query));
    }

    private void StartFetchIfDue(DiscoveryListKind kind, bool allowRefresh, bool force, bool respectBackOff = false)
    {
        EnsureLoaded(kind);
        var list = _lists[kind];
        if (list.Fetching)
        {
            return;
        }
        var freshness = new ListFreshness(list.Source == DiscoverySource.Cache || list.Source == DiscoverySource.Network,
            list.CheckedThisRun, _state.CheckedAtMs(kind), list.LastFailureAtMs);
        if (!DiscoveryRefreshPolicy.IsDue(kind, freshness, NowMs, _settings.ServerListMaxAge, allowRefresh, force, respectBackOff))
        {
            return;
        }
        list.Fetching = true;
        var held = HeldFor(kind);
        _fetcher.FetchAsync(kind, held, NowMs, _stopping.Token).PipeTo(Self,
            success: outcome => new FetchCompleted(outcome),
            failure: e => new FetchCompleted(new FetchOutcome.Refused(kind,
                new DiscoveryWarning(DiscoveryWarningKind.FetchFailed, $"Could not refresh {DiscoveryFetcher.FileName(kind)}: {e.Message}"))));
    }

    private HeldList? HeldFor(DiscoveryListKind kind)
    {
        var list = _lists[kind];
        if (list.View is null)
        {
            return null;
        }
        var fromCache = list.Source is DiscoverySource.Cache or DiscoverySource.Network;
        return new HeldList(list.View.Version, fromCache ? _state.Held(kind)?.LastModified : null, fromCache);
    }

    private void OnFetchCompleted(FetchOutcome outcome)
    {
        var kind = outcome.Kind;
        var list = _lists[kind];
        switch (outcome)
        {
            case FetchOutcome.Accepted accepted:
                StartWriting(outcome);
                Persist(accepted.Event, e =>
                {
                    _writing = null;
                    _state = _state.Apply(e);
                    list.View = accepted.Parsed;
                    list.Source = DiscoverySource.Network;
                    list.Succeeded();
                    _log.Info("Accepted {File} v {Version} ({Entries} entries)", DiscoveryFetcher.FileName(kind), e.Version, accepted.Parsed.Count);
                    Snapshot();
                    _journalWork.WriteEnded();
                    FinishAfterCompaction(kind);
                });
                return;
            case FetchOutcome.Unchanged unchanged:
                StartWriting(outcome);
                Persist(new DiscoveryListConfirmed(kind, unchanged.LastModified, NowMs), e =>
                {
                    _writing = null;
                    _state = _state.Apply(e);
                    list.Succeeded();
                    // Counted from the last snapshot, so one a process did not get to is taken by the next.
                    if (LastSequenceNr - _snapshotSequenceNr >= _settings.SnapshotEvery)
                    {
                        Snapshot();
                    }
                    _journalWork.WriteEnded();
                    FinishAfterCompaction(kind);
                });
                return;
            case FetchOutcome.Refused refused:
                _log.Warning("{Warning}", refused.Warning.Message);
                list.Warning = refused.Warning;
                list.LastFailureAtMs = NowMs;
                if (list.View is null)
                {
                    FallBackToBundled(kind, list);
                }
                Finish(kind);
                return;
        }
    }

    private void StartWriting(FetchOutcome outcome)
    {
        // Nobody may wait for a start-up refresh, yet a short-lived process must not exit in the middle of it.
        _journalWork.WriteStarted();
        _writing = outcome;
    }

    /// <summary>The journal refused the event: the verified list is still the answer, with a warning about the cache.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        AnswerUnstored(cause);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <summary>The journal failed (e.g. a full disk): the waiters are answered first, then the actor stops (its guard starts it again).</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        AnswerUnstored(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void AnswerUnstored(Exception cause)
    {
        if (_writing is not { } outcome)
        {
            return;
        }
        _writing = null;
        _journalWork.WriteEnded();
        var file = DiscoveryFetcher.FileName(outcome.Kind);
        _log.Warning("{File} could not be stored: {Error}", file, cause.Message);
        _lists[outcome.Kind].UsedUnstored((outcome as FetchOutcome.Accepted)?.Parsed, new DiscoveryWarning(DiscoveryWarningKind.StorageFailed,
            $"{file} was verified and is used, but it could not be stored ({cause.GetType().Name}: {cause.Message})."));
        Finish(outcome.Kind);
    }

    private void Snapshot()
    {
        _snapshotSequenceNr = LastSequenceNr;
        _journalWork.SnapshotRequested();
        SaveSnapshot(_state.ToSnapshot());
    }

    /// <summary>Answers the list's waiters once the clean-up is done: a console command exits right after its answer.</summary>
    private void FinishAfterCompaction(DiscoveryListKind kind) => _journalWork.WhenDone(() => Finish(kind));

    private void FallBackToBundled(DiscoveryListKind kind, DiscoveryListRuntime list)
    {
        var (bundled, problem) = BundledDiscovery.Load(kind, _settings.RequirePrehashed);
        if (bundled is null)
        {
            _log.Warning("{Problem}", problem);
            return;
        }
        list.View = bundled;
        list.Source = DiscoverySource.Bundled;
    }

    private void Finish(DiscoveryListKind kind)
    {
        var list = _lists[kind];
        list.Fetching = false;
        foreach (var (replyTo, query) in list.Waiters)
        {
            replyTo.Tell(Answer(kind, query));
        }
        list.Waiters.Clear();
    }

    private object Answer(DiscoveryListKind kind, object query)
    {
        var list = _lists[kind];
        var checkedAtMs = list.Source is DiscoverySource.Cache or DiscoverySource.Network ? _state.CheckedAtMs(kind) : 0;
        return DiscoveryAnswers.For(query, kind, list.View, list.Source, checkedAtMs, list.Warning);
    }

    private sealed record FetchCompleted(FetchOutcome Outcome) : INoSerializationVerificationNeeded;

    private sealed record StartupRefresh : INoSerializationVerificationNeeded
    {
        public static readonly StartupRefresh Instance = new();
    }
}
