using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using EduVpnActors.Actors.Diagnostics;
using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Discovery.Search;
using EduVpnActors.Actors.Discovery.Signatures;
using EduVpnActors.Actors.Http;
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
    private readonly Dictionary<DiscoveryListKind, ListRuntime> _lists = new()
    {
        [DiscoveryListKind.Servers] = new(),
        [DiscoveryListKind.Organizations] = new(),
    };
    private DiscoveryCacheState _state = DiscoveryCacheState.Empty;

    /// <summary>Creates the discovery actor; use <see cref="Props"/>.</summary>
    public DiscoveryActor(DiscoverySettings settings, EngineHttpClient http, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _verifier = new MinisignVerifier(settings.TrustedKeys, settings.RequirePrehashed);
        _fetcher = new DiscoveryFetcher(http, _verifier, settings.BaseUrl);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is DiscoverySnapshot snapshot)
            {
                _state = DiscoveryCacheState.FromSnapshot(snapshot);
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
        Command<SaveSnapshotSuccess>(s =>
        {
            // The snapshot holds everything; older events and snapshots only cost space.
            DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Discovery snapshot failed; the journal keeps the events"));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "Could not delete discovery events up to {SequenceNr}", f.ToSequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Could not delete old discovery snapshots"));
    }

    /// <inheritdoc/>
    public override string PersistenceId => PersistenceIdValue;

    /// <summary>Props of the discovery actor (one per engine).</summary>
    public static Props Props(DiscoverySettings settings, EngineHttpClient http, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new DiscoveryActor(settings, http, time ?? TimeProvider.System));

    /// <inheritdoc/>
    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void OnRecovered()
    {
        StartupTrace.Mark("discovery recovered");
        // Official rule 13: the server list is fetched at every start.
        Self.Tell(StartupRefresh.Instance);
    }

    /// <summary>Loads the stored copy of <paramref name="kind"/> when this run first needs it (a query, or a fetch that sends its
    /// version): a command that never asks for the organization list does not pay for checking it.</summary>
    private void EnsureLoaded(DiscoveryListKind kind)
    {
        var list = _lists[kind];
        if (list.Loaded)
        {
            return;
        }
        list.Loaded = true;
        if (_state.Held(kind) is not { } held)
        {
            return;
        }
        // The stored copy is verified again on every load: a damaged or edited database must not
        // smuggle in a list the signature never covered.
        try
        {
            _verifier.Verify(held.Document, held.Signature, DiscoveryFetcher.FileName(kind), 0);
            list.View = ParsedDiscovery.Parse(kind, held.Document);
            list.Source = DiscoverySource.Cache;
        }
        catch (Exception e) when (e is SignatureException or DiscoveryFormatException)
        {
            _log.Warning("The cached {Kind} list does not verify any more and is set aside: {Reason}", kind, e.Message);
            list.Warning = new DiscoveryWarning(DiscoveryWarningKind.DamagedCache, $"The stored {DiscoveryFetcher.FileName(kind)} was damaged and set aside: {e.Message}");
            PersistDiscard(kind, e.Message);
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
                Persist(accepted.Event, e =>
                {
                    _state = _state.Apply(e);
                    list.View = accepted.Parsed;
                    list.Source = DiscoverySource.Network;
                    list.Succeeded();
                    _log.Info("Accepted {File} v {Version} ({Entries} entries)", DiscoveryFetcher.FileName(kind), e.Version, accepted.Parsed.Count);
                    SaveSnapshot(_state.ToSnapshot());
                    Finish(kind);
                });
                return;
            case FetchOutcome.Unchanged unchanged:
                Persist(new DiscoveryListConfirmed(kind, unchanged.LastModified, NowMs), e =>
                {
                    _state = _state.Apply(e);
                    list.Succeeded();
                    if (LastSequenceNr % _settings.SnapshotEvery == 0)
                    {
                        SaveSnapshot(_state.ToSnapshot());
                    }
                    Finish(kind);
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

    private void FallBackToBundled(DiscoveryListKind kind, ListRuntime list)
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

    private void PersistDiscard(DiscoveryListKind kind, string reason) =>
        Persist(new DiscoveryListDiscarded(kind, reason, NowMs), e => _state = _state.Apply(e));

    private object Answer(DiscoveryListKind kind, object query)
    {
        var list = _lists[kind];
        var checkedAtMs = list.Source is DiscoverySource.Cache or DiscoverySource.Network ? _state.CheckedAtMs(kind) : 0;
        var status = new DiscoveryStatus(kind, list.View?.Version ?? 0, list.View is null ? DiscoverySource.None : list.Source,
            checkedAtMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(checkedAtMs) : null, list.Warning);
        var servers = list.View?.Servers ?? ServerList.Empty;
        var organizations = list.View?.Organizations ?? OrganizationList.Empty;
        return query switch
        {
            GetServerList => new ServerListResponse(servers, status),
            GetOrganizationList => new OrganizationListResponse(organizations, status),
            SearchServers search => new ServerSearchResponse(
                DiscoverySearch.SearchServers(servers.Servers, search.Query)
                    .Select(hit => new ServerSearchResult(hit.Item, LanguageMatcher.DisplayOr(hit.Item.DisplayName, search.Language, hit.Item.BaseUrl), hit.Score))
                    .ToArray(),
                status),
            SearchOrganizations search => new OrganizationSearchResponse(
                DiscoverySearch.SearchOrganizations(organizations.Organizations, search.Query)
                    .Select(hit => new OrganizationSearchResult(hit.Item, LanguageMatcher.DisplayOr(hit.Item.DisplayName, search.Language, hit.Item.OrgId), hit.Score))
                    .ToArray(),
                status),
            _ => throw new InvalidOperationException($"Not a discovery query: {query.GetType().Name}"),
        };
    }

    /// <summary>Per-list run-time facts that are not worth persisting.</summary>
    private sealed class ListRuntime
    {
        public bool Loaded { get; set; } // the stored copy was verified into View, or set aside, this run
        public ParsedDiscovery? View { get; set; }
        public DiscoverySource Source { get; set; } = DiscoverySource.None;
        public bool CheckedThisRun { get; private set; }
        public long LastFailureAtMs { get; set; }
        public DiscoveryWarning? Warning { get; set; }
        public bool Fetching { get; set; }
        public List<(IActorRef ReplyTo, object Query)> Waiters { get; } = [];

        public void Succeeded()
        {
            CheckedThisRun = true;
            LastFailureAtMs = 0;
            Warning = null;
        }
    }

    private sealed record FetchCompleted(FetchOutcome Outcome) : INoSerializationVerificationNeeded;

    private sealed record StartupRefresh : INoSerializationVerificationNeeded
    {
        public static readonly StartupRefresh Instance = new();
    }
}
