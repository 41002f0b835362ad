using Akka.Actor;
using Akka.Event;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Connection;
using EduVpnActors.Actors.Connection.Logic;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Actors.Servers.Logic;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Failover;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client;

/// <summary>What a connection needs from the rest of the engine.</summary>
public sealed record ClientDependencies(
    IActorRef Discovery,
    IActorRef Registry,
    IActorRef Sessions,
    ClientSettings Settings,
    IFreePortAllocator Ports,
    TimeProvider Time,
    FailoverSettings Failover,
    FailoverDependencies? FailoverDependencies = null);

/// <summary>
/// Runs the client flow of one server (add, get config, renew, cleanup, remove) one operation at a
/// time, and owns that server's connection state machine as a child. Each step asks one other actor
/// and waits for the reply with the step's request id, so while it waits for discovery, the registry,
/// the session or the host's answer, state queries and host state changes are still served at once.
/// A step that waits for another engine actor has a deadline (<see cref="ClientSettings.ReplyTimeout"/>):
/// a lost reply (e.g. a child restarted by its back-off supervisor) fails the operation instead of
/// leaving the server busy for good. Waits for the user have their own limits and no deadline here.
/// </summary>
public sealed class ServerConnectionActor : ReceiveActor, IWithTimers
{
    private const string ReplyDeadlineKey = "reply-deadline";

    private readonly ServerId _server;
    private readonly ClientDependencies _deps;
    private readonly IActorRef _stateMachine;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, (IActorRef ReplyTo, string RequestId)> _hostStateRequests = new();
    private readonly ConnectionFailover _failover = new();
    private ConnectionState _current = ConnectionStateMachine.Initial;
    private Operation? _op;
    private VpnConfiguration? _configuration;
    private long _ids;
    private long _steps;
    private string? _retiring;
    private bool _stopWhenIdle;

    /// <summary>Creates the connection actor of <paramref name="server"/>; the client actor starts it.</summary>
    public ServerConnectionActor(ServerId server, ClientDependencies deps)
    {
        _server = server;
        _deps = deps;
        _stateMachine = Context.ActorOf(ConnectionStateActor.Props(server.ToString(), deps.Time), "state");
        // The client re-publishes every connection's transitions to the host's subscribers.
        _stateMachine.Tell(new SubscribeConnectionStates(Context.Parent));

        Receive<AddServer>(m => Start(m.RequestId, () => BeginAdd(m)));
        Receive<GetConfig>(m => Start(m.RequestId, () => BeginGetConfig(m)));
        Receive<RenewSession>(m => Start(m.RequestId, BeginRenew));
        Receive<Cleanup>(m => Start(m.RequestId, BeginCleanup));
        Receive<SetProfile>(m => Start(m.RequestId, () => BeginSetProfile(m)));
        Receive<SetLocation>(m => Start(m.RequestId, () => BeginSetLocation(m)));
        Receive<RemoveServer>(m => Start(m.RequestId, BeginRemove));
        Receive<ReplyDeadline>(OnReplyDeadline);
        Receive<StopConnectionWhenIdle>(_ =>
        {
            if (_op is null)
            {
                Context.Stop(Self);
                return;
            }
            // A request the client routed here before it retired us: finish it, then stop.
            _stopWhenIdle = true;
        });
        Receive<StartFailover>(OnStartFailover);
        Receive<CancelFailover>(OnCancelFailover);
        Receive<ProbeVerdict>(OnProbeVerdict);
        Receive<AnswerQuestion>(OnAnswer);
        Receive<CancelOperation>(OnCancel);
        Receive<SetConnectionState>(OnHostState);
        Receive<GetServerConnectionState>(m => _stateMachine.Forward(new GetConnectionState(m.RequestId)));
        Receive<ConnectionTransitioned>(OnTransitioned);
        Receive<ConnectionTransitionRefused>(OnTransitionRefused);
        Receive<ConnectionAlreadyInState>(already =>
        {
            if (_hostStateRequests.Remove(already.RequestId, out var host))
            {
                _current = already.State;
                host.ReplyTo.Tell(already with { RequestId = host.RequestId });
            }
        });
        ReceiveAny(Continue);
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the connection of <paramref name="server"/>.</summary>
    public static Props Props(ServerId server, ClientDependencies deps) =>
        Akka.Actor.Props.Create(() => new ServerConnectionActor(server, deps));

    private DateTimeOffset Now => _deps.Time.GetUtcNow();

    private string NextId(string step) => $"{_server}#{step}-{++_ids}";

    // ---- operations -------------------------------------------------------------------------

    private void BeginAdd(AddServer add)
    {
        if (add.Interactive && _current != ConnectionState.Main)
        {
            throw new ClientFlowException(ClientErrorKind.InvalidState, $"a server can only be added from Main, not from {_current}");
        }
        // A failed add of a new server leaves no server behind, so no connection either.
        _op!.RetireOnFailure = true;
        WithDiscovery(add.Type, (servers, organizations) =>
        {
            var resolved = ServerResolution.ResolveAdd(add.Type, add.Identifier, servers, organizations);
            if (add.Interactive)
            {
                Transition(ConnectionState.AddingServer);
            }
            var addId = NextId("add");
            Ask(_deps.Registry, "registry", addId, new AddServerRecord(addId, resolved.Id, resolved.BaseUrl, resolved.DisplayName, resolved.OrganizationId),
                Expect<ServerRecordAdded>(addId, added =>
                {
                    _op!.RetireOnFailure = !added.AlreadyKnown;
                    if (!added.AlreadyKnown)
                    {
                        _op!.OnFailure = () => _deps.Registry.Tell(new RemoveServerRecord(NextId("undo-add"), _server));
                    }
                    WithHomeLocation(added.Server, resolved, servers, record =>
                    {
                        if (!add.Interactive)
                        {
                            Complete(new ServerReady(add.RequestId, record));
                            return;
                        }
                        var target = ServerResolution.Target(record, servers, organizations)!;
                        Authorize(target, record, interactive: true, (_, authorized) =>
                        {
                            BackToMain();
                            Complete(new ServerReady(add.RequestId, authorized));
                        });
                    });
                }));
        });
    }

    private void BeginGetConfig(GetConfig get)
    {
        if (_current != ConnectionState.GettingConfig)
        {
            EnsureAllowed(ConnectionState.GettingConfig);
            Transition(ConnectionState.GettingConfig);
        }
        var op = _op!;
        op.AfterAuthorization = ConnectionState.GettingConfig;
        op.Interactive = !get.Startup;
        WithRecord(record => WithDiscovery(record.Id.Type, (servers, organizations) =>
            WithTarget(record, servers, organizations, (located, locatedRecord) =>
                Authorize(located, locatedRecord, op.Interactive, (target, authorized) =>
                {
                    AskSessionReauthorizing<InfoFetched>(target, authorized, op.Interactive, "info", (at, id, asUser) => new FetchInfo(id, at.ApiBaseUrl, asUser),
                        (infoTarget, info) => WithAuthorizationOf(authorized, info.AuthorizedAt, current =>
                            ChooseProfile(current, info.Profiles, (chosen, profile) => Connect(get, infoTarget, chosen, profile))));
                }))));
    }

    private void BeginRenew()
    {
        if (ChoiceChange.TunnelInUse(_current))
        {
            throw new ClientFlowException(ClientErrorKind.InvalidState, $"bring the tunnel down before renewing (now {_current})");
        }
        if (_current == ConnectionState.Main)
        {
            // OAuthStarted is not reachable from Main; GettingConfig is the documented way in.
            Transition(ConnectionState.GettingConfig);
        }
        EnsureAllowed(ConnectionState.OAuthStarted);
        WithRecord(record => WithDiscovery(record.Id.Type, (servers, organizations) =>
        {
            var target = ServerResolution.Target(record, servers, organizations) ?? ServerResolution.HomeOnlyTarget(record, servers, organizations);
            Release(target, record, releasedRecord =>
            {
                var forgetId = NextId("forget");
                AskSession(target, new ForgetTokens(forgetId), Expect<TokensForgotten>(forgetId, _ =>
                    Authorize(target, releasedRecord, interactive: true, (_, authorized) =>
                    {
                        BackToMain();
                        Complete(new SessionRenewed(_op!.RequestId, authorized));
                    })));
            });
        }));
    }

    private void BeginCleanup() =>
        WithRecord(record => WithDiscovery(record.Id.Type, (servers, organizations) =>
        {
            var target = ServerResolution.Target(record, servers, organizations);
            if (target is null)
            {
                Complete(new CleanedUp(_op!.RequestId, false));
                return;
            }
            var releaseId = NextId("disconnect");
            AskSession(target, new ReleaseConfig(releaseId, target.ApiBaseUrl), Expect<ConfigReleased>(releaseId, released =>
                AskRegistry<RegistryUpdated>(id => new RecordConfigReleased(id, _server), _ =>
                    Complete(new CleanedUp(_op!.RequestId, released.Reached)))));
        }));

    private void BeginSetProfile(SetProfile set) =>
        WithRecord(record =>
            ChangeChoice(record, null, record.ProfileId != set.ProfileId, "profile", () =>
                AskRegistry<RegistryUpdated>(id => new RecordProfileChoice(id, _server, set.ProfileId), updated =>
                    Complete(new ServerUpdated(set.RequestId, updated.Server!)))));

    private void BeginSetLocation(SetLocation set) =>
        WithRecord(record => WithDiscovery(ServerType.SecureInternet, (servers, organizations) =>
        {
            var location = ServerResolution.Location(servers, set.CountryCode);
            ChangeChoice(record, (servers, organizations), record.LocationCountryCode != location.CountryCode, "location", () =>
                AskRegistry<RegistryUpdated>(id => new RecordLocationChoice(id, _server, location.CountryCode, location.BaseUrl), updated =>
                    Complete(new ServerUpdated(set.RequestId, updated.Server!))));
        }));

    /// <summary>A new profile or location: refused while the tunnel is up, and a live configuration is released first (rules 33–35).</summary>
    /// <param name="record">The server before the change.</param>
    /// <param name="discovery">The lists when the caller has them; fetched only if a release needs them.</param>
    /// <param name="changes">Whether the choice differs from the stored one.</param>
    /// <param name="what">"profile" or "location", for the refusal.</param>
    /// <param name="store">Stores the choice and completes.</param>
    private void ChangeChoice(ServerRecord record, (ServerList Servers, OrganizationList Organizations)? discovery, bool changes, string what, Action store)
    {
        switch (ChoiceChange.Decide(_current, changes, record.ConfigExpiresAt is not null))
        {
            case ChoiceChangeStep.Refuse:
                throw new ClientFlowException(ClientErrorKind.InvalidState, $"bring the tunnel down before changing the {what} (now {_current})");
            case ChoiceChangeStep.ReleaseThenStore when discovery is null:
                WithDiscovery(record.Id.Type, (servers, organizations) => ChangeChoice(record, (servers, organizations), changes, what, store));
                return;
            case ChoiceChangeStep.ReleaseThenStore:
                var lists = discovery!.Value;
                var target = ServerResolution.Target(record, lists.Servers, lists.Organizations) ?? ServerResolution.HomeOnlyTarget(record, lists.Servers, lists.Organizations);
                Release(target, record, _ =>
                {
                    // The released configuration is for the old choice: a GotConfig would offer it again.
                    _configuration = null;
                    BackToMain();
                    store();
                });
                return;
            default:
                store();
                return;
        }
    }

    private void BeginRemove()
    {
        if (ChoiceChange.TunnelInUse(_current))
        {
            throw new ClientFlowException(ClientErrorKind.InvalidState, $"bring the tunnel down before removing the server (now {_current})");
        }
        WithRecord(record =>
        {
            // eduvpn-common keeps the tokens of a removed server; a removed server should leave nothing behind.
            var target = new SessionTarget(record.BaseUrl, record.OrganizationId, null, record.ApiBaseUrl);
            ReleaseBestEffort(target, record, () =>
            {
                var forgetId = NextId("forget");
                AskSession(target, new ForgetTokens(forgetId), Expect<TokensForgotten>(forgetId, _ =>
                    AskRegistry<ServerRecordRemoved>(id => new RemoveServerRecord(id, _server), _ =>
                    {
                        BackToMain();
                        Complete(new ServerForgotten(_op!.RequestId, _server));
                        Retire();
                    })));
            });
        });
    }

    // ---- steps ------------------------------------------------------------------------------

    private void WithRecord(Action<ServerRecord> next) =>
        AskRegistry<ServerRecords>(id => new GetServerRecords(id), records =>
            next(records.Servers.FirstOrDefault(s => s.Id == _server)
                ?? throw new ClientFlowException(ClientErrorKind.UnknownServer, $"the server {_server} was not added")));

    private void WithDiscovery(ServerType type, Action<ServerList, OrganizationList> next, bool refreshOrganizations = false)
    {
        switch (type)
        {
            case ServerType.Custom:
                next(ServerList.Empty, OrganizationList.Empty);
                return;
            case ServerType.SecureInternet:
                // Official rule 14: the organization list is fetched when it is needed, and it is now. A forced
                // refresh is the engine's own trigger, so it waits out discovery's pause after a failed fetch.
                Ask(_deps.Discovery, "discovery", null, new GetOrganizationList(ForceRefresh: refreshOrganizations, RespectBackOff: true), Expect<OrganizationListResponse>(null, organizations =>
                    Ask(_deps.Discovery, "discovery", null, new GetServerList(), Expect<ServerListResponse>(null, servers =>
                        LookUpOnce(
                            () => next(ServerResolution.Usable(servers.List, servers.Status), ServerResolution.Usable(organizations.List, organizations.Status)),
                            () => WithDiscovery(type, next, refreshOrganizations: true))))));
                return;
            default:
                Ask(_deps.Discovery, "discovery", null, new GetServerList(), Expect<ServerListResponse>(null, servers =>
                    next(ServerResolution.Usable(servers.List, servers.Status), OrganizationList.Empty)));
                return;
        }
    }

    /// <summary>
    /// Runs a Secure Internet lookup (its first step must be the lookup, so a retry repeats nothing). When the
    /// organization or its home server is not in the held list, the list may be stale (§3.5): one fresh
    /// organization list per operation, and the lookup once more on it; a second miss fails as NotInDiscovery.
    /// </summary>
    private void LookUpOnce(Action lookup, Action withFreshOrganizations)
    {
        try
        {
            lookup();
        }
        catch (ClientFlowException e) when (e.Kind == ClientErrorKind.NotInDiscovery && _op is { OrganizationsRefreshed: false } op)
        {
            op.OrganizationsRefreshed = true;
            _log.Info("{0} for {1}; asking discovery for a fresh organization list", e.Message, _server);
            withFreshOrganizations();
        }
    }

    private void WithHomeLocation(ServerRecord record, ResolvedServer resolved, ServerList servers, Action<ServerRecord> next)
    {
        if (record.Id.Type != ServerType.SecureInternet || record.LocationCountryCode is not null || resolved.HomeCountryCode is null)
        {
            next(record);
            return;
        }
        var home = ServerResolution.Location(servers, resolved.HomeCountryCode);
        AskRegistry<RegistryUpdated>(id => new RecordLocationChoice(id, _server, home.CountryCode, home.BaseUrl), updated => next(updated.Server!));
    }

    private void WithTarget(ServerRecord record, ServerList servers, OrganizationList organizations, Action<SessionTarget, ServerRecord> next)
    {
        if (ServerResolution.Target(record, servers, organizations) is { } target)
        {
            next(target, record);
            return;
        }
        var question = new LocationQuestion(NextId("location"), ServerResolution.Locations(servers));
        AskHost(ConnectionState.AskLocation, question, question.QuestionId, answer =>
        {
            var location = ServerResolution.Location(servers, answer);
            Transition(ConnectionState.GettingConfig);
            AskRegistry<RegistryUpdated>(id => new RecordLocationChoice(id, _server, location.CountryCode, location.BaseUrl), updated =>
                WithTarget(updated.Server!, servers, organizations, next));
        });
    }

    private void Authorize(SessionTarget target, ServerRecord record, bool interactive, Action<SessionTarget, ServerRecord> next) =>
        AskSessionReauthorizing<SessionAuthorized>(target, record, interactive, "authorize", (_, id, asUser) => new EnsureAuthorized(id, asUser),
            (at, authorized) => WithAuthorizationOf(record, authorized.AuthorizedAt, current => next(at, current)));

    /// <summary>
    /// A session request that may have to authorize again. Rule 14, §3.5: a new authorization of a known
    /// Secure Internet server (expiry, revocation, renew) takes a fresh organization list first, for a current
    /// home and WAYF template. Only the session finds out whether the user is needed (also on a 401 inside an
    /// API call), so such a request goes without the user first; on AuthorizationRequired the organization list
    /// is refreshed once and the request sent again, now allowed to ask the user. No extra call when the tokens work.
    /// </summary>
    private void AskSessionReauthorizing<T>(SessionTarget target, ServerRecord record, bool interactive, string step,
        Func<SessionTarget, string, bool, ISessionRequest> request, Action<SessionTarget, T> onReply) where T : class
    {
        var op = _op!;
        var checkFirst = interactive && record.Id.Type == ServerType.SecureInternet && record.LastAuthorizedAt is not null && !op.OrganizationsRefreshed;
        if (checkFirst)
        {
            op.OnSessionFailure = failure =>
            {
                if (failure.Kind != SessionErrorKind.AuthorizationRequired)
                {
                    Fail(ClientErrors.FromSession(failure, interactive));
                    return;
                }
                op.OrganizationsRefreshed = true;
                WithDiscovery(ServerType.SecureInternet, (servers, organizations) =>
                    AskSessionReauthorizing(ServerResolution.Reauthorization(target, record, servers, organizations), record, interactive, step, request, onReply),
                    refreshOrganizations: true);
            };
        }
        var id = NextId(step);
        AskSession(target, request(target, id, interactive && !checkFirst), Expect<T>(id, reply =>
        {
            op.OnSessionFailure = null;
            onReply(target, reply);
        }));
    }

    /// <summary>
    /// Stores a newer authorization time of the session (a new login, also one a 401 needed inside
    /// <c>/info</c> or <c>/connect</c>) before going on: expiry and renewal times count from it.
    /// </summary>
    private void WithAuthorizationOf(ServerRecord record, DateTimeOffset? authorizedAt, Action<ServerRecord> next)
    {
        if (authorizedAt is not { } at || record.LastAuthorizedAt == at)
        {
            next(record);
            return;
        }
        AskRegistry<RegistryUpdated>(id => new RecordAuthorization(id, _server, at), updated => next(updated.Server!));
    }

    private void ChooseProfile(ServerRecord record, IReadOnlyList<Profile> profiles, Action<ServerRecord, Profile> next)
    {
        ProfileDecision decision;
        try
        {
            decision = ProfileChoice.Choose(profiles, record.ProfileId);
        }
        catch (ApiException e) when (e.Kind == ApiErrorKind.NoProfiles)
        {
            throw new ClientFlowException(ClientErrorKind.NoProfiles, e.Message);
        }
        switch (decision)
        {
            case ProfileDecision.Use use when use.Profile.Id == record.ProfileId:
                next(record, use.Profile);
                return;
            case ProfileDecision.Use use:
                RememberProfile(use.Profile, next);
                return;
            case ProfileDecision.Ask ask:
                var question = new ProfileQuestion(NextId("profile"), ask.Profiles);
                AskHost(ConnectionState.AskProfile, question, question.QuestionId, answer =>
                {
                    var profile = ProfileChoice.Accept(ask.Profiles, answer);
                    Transition(ConnectionState.GettingConfig);
                    RememberProfile(profile, next);
                });
                return;
        }
    }

    private void RememberProfile(Profile profile, Action<ServerRecord, Profile> next) =>
        AskRegistry<RegistryUpdated>(id => new RecordProfileChoice(id, _server, profile.Id), updated => next(updated.Server!, profile));

    private void Connect(GetConfig get, SessionTarget target, ServerRecord record, Profile profile) =>
        // eduvpn-common marks the server current before it connects.
        AskRegistry<RegistryUpdated>(id => new SelectCurrentServer(id, _server), _ =>
        {
            var keys = _deps.Settings.Protocols.Contains(VpnProtocol.WireGuard) ? WireGuardKeys.Generate() : null;
            var request = ClientErrors.Guard(() => ConnectRequest.Build(profile, [.. _deps.Settings.Protocols], get.PreferTcp, keys?.PublicKey, _deps.Settings.PreferWireGuard));
            AskSessionReauthorizing<ConfigReceived>(target, record, _op!.Interactive, "connect",
                (at, id, asUser) => new RequestConfig(id, at.ApiBaseUrl, request.Fields, request.Accept, asUser),
                (_, received) => WithAuthorizationOf(record, received.AuthorizedAt, _ =>
                {
                    var now = Now;
                    var configuration = ClientErrors.Guard(() => ConnectResponse.Process(request, received.ContentType, received.Expires, received.Body, keys?.PrivateKey, _deps.Ports, now));
                    AskRegistry<RegistryUpdated>(id => new RecordConfigObtained(id, _server, now, configuration.Expires), updated =>
                    {
                        var authorizedAt = updated.Server!.LastAuthorizedAt ?? now;
                        var expiry = ExpiryCalculator.Calculate(authorizedAt, configuration.Expires, _deps.Settings.ExpiryPolicy);
                        _configuration = configuration;
                        Transition(ConnectionState.GotConfig, new ConfigurationData(_server, profile.Id, configuration));
                        Complete(new ConfigObtained(get.RequestId, _server, profile.Id, configuration, expiry));
                    });
                }));
        });

    private void Release(SessionTarget target, ServerRecord record, Action<ServerRecord> next)
    {
        if (record.ConfigExpiresAt is null)
        {
            next(record);
            return;
        }
        var releaseId = NextId("disconnect");
        AskSession(target, new ReleaseConfig(releaseId, target.ApiBaseUrl), Expect<ConfigReleased>(releaseId, _ =>
            AskRegistry<RegistryUpdated>(id => new RecordConfigReleased(id, _server), updated => next(updated.Server!))));
    }

    /// <summary>
    /// <c>/disconnect</c> for a configuration that was obtained and not released, while the tokens still
    /// exist (rule 33: the user leaves the server). Best effort (rule 34): a failed call does not stop the caller.
    /// </summary>
    private void ReleaseBestEffort(SessionTarget target, ServerRecord record, Action next)
    {
        if (record.ConfigExpiresAt is null)
        {
            next();
            return;
        }
        var releaseId = NextId("disconnect");
        _op!.OnSessionFailure = failure =>
        {
            _log.Info("The /disconnect of {0} failed ({1}); carrying on", _server, failure.Kind);
            next();
        };
        AskSession(target, new ReleaseConfig(releaseId, target.ApiBaseUrl), Expect<ConfigReleased>(releaseId, _ =>
        {
            _op!.OnSessionFailure = null;
            next();
        }));
    }

    // ---- plumbing ---------------------------------------------------------------------------

    private void Start(string requestId, Action begin)
    {
        if (_op is not null)
        {
            Sender.Tell(new ClientRequestFailed(requestId, new ClientError(ClientErrorKind.Busy, $"{_server} is busy with another operation")));
            return;
        }
        _op = new Operation(requestId, Sender, _current);
        Run(begin);
    }

    private void Run(Action step)
    {
        try
        {
            step();
        }
        catch (ClientFlowException e)
        {
            Fail(e.ToError());
        }
    }

    /// <summary>Sends one step's request to another engine actor and arms the step's deadline.</summary>
    /// <param name="target">The actor that answers.</param>
    /// <param name="what">Who answers, for the time-out message.</param>
    /// <param name="requestId">The step's request id (null: discovery, which has none).</param>
    /// <param name="request">The request.</param>
    /// <param name="onReply">Takes the reply; false when the message is not the awaited one.</param>
    private void Ask(IActorRef target, string what, string? requestId, object request, Func<object, bool> onReply)
    {
        var op = _op!;
        op.Next = onReply;
        op.WaitingFor = what;
        op.StepRequestId = requestId;
        ArmDeadline(op);
        target.Tell(request);
    }

    private void ArmDeadline(Operation op)
    {
        op.Step = ++_steps;
        Timers.StartSingleTimer(ReplyDeadlineKey, new ReplyDeadline(op.Step), _deps.Settings.ReplyTimeout);
    }

    private void AskRegistry<T>(Func<string, IRegistryRequest> request, Action<T> onReply) where T : class
    {
        var id = NextId("registry");
        Ask(_deps.Registry, "registry", id, request(id), Expect(id, onReply));
    }

    private void AskSession(SessionTarget target, ISessionRequest request, Func<object, bool> onReply)
    {
        _op!.SessionTarget = target;
        _op.SessionRequestId = request.RequestId;
        _op.SessionRequestInteractive = SessionRequests.IsInteractive(request);
        Ask(_deps.Sessions, "session", request.RequestId,
            new SessionEnvelope(_server, target.AuthorizationBaseUrl, target.OrganizationId, target.AuthenticationUrlTemplate, request), onReply);
    }

    private void AskHost(ConnectionState state, ConnectionStateData question, string questionId, Action<string> onAnswer)
    {
        // The user may take as long as they like (the host cancels); no engine deadline.
        Timers.Cancel(ReplyDeadlineKey);
        Transition(state, question);
        _op!.QuestionId = questionId;
        _op.OnAnswer = onAnswer;
        _op.Next = null;
    }

    private void OnReplyDeadline(ReplyDeadline deadline)
    {
        // Only the step that armed it: a tick queued before its step was answered is stale.
        if (_op is not { Next: not null } op || op.Step != deadline.Step)
        {
            return;
        }
        if (op.Cancelling)
        {
            // The session never confirmed (lost reply, restarted child): the host asked to cancel, so it is cancelled.
            Fail(new ClientError(ClientErrorKind.Cancelled,
                $"the host cancelled the operation (the session did not confirm within {_deps.Settings.ReplyTimeout.TotalSeconds:0.###} seconds)"));
            return;
        }
        if (!op.InAuthorization)
        {
            _log.Warning("No reply from the {0} for {1} within {2}; the operation fails", op.WaitingFor, _server, _deps.Settings.ReplyTimeout);
            Fail(new ClientError(ClientErrorKind.Timeout,
                $"the {op.WaitingFor} did not answer within {_deps.Settings.ReplyTimeout.TotalSeconds:0.###} seconds"));
        }
    }

    /// <summary>A reply handler that takes <typeparamref name="T"/> with the step's request id (null: discovery, which has none).</summary>
    private static Func<object, bool> Expect<T>(string? requestId, Action<T> onReply) where T : class =>
        message =>
        {
            if (message is not T reply || (requestId is not null && SessionReplies.RequestIdOf(reply) != requestId))
            {
                return false;
            }
            onReply(reply);
            return true;
        };

    private void Continue(object message)
    {
        var op = _op;
        switch (message)
        {
            case CurrentConnectionState flushed when flushed.RequestId == _retiring:
                // The state child has published every transition before this one: safe to go.
                _retiring = null;
                if (_op is null && _current == ConnectionState.Main)
                {
                    Context.Parent.Tell(new ServerConnectionRetired(_server));
                }
                return;
            case ConnectionStateChanged or CurrentConnectionState:
                return;
            case AuthorizationUrlReady url when op is not null && url.RequestId == op.SessionRequestId && op.Cancelling:
                // The session started listening before the cancel reached it (e.g. it was queued there behind
                // another job): no URL for the user, and that job must stop too.
                SendCancelAuthorization(op);
                return;
            case AuthorizationUrlReady url when op is not null && url.RequestId == op.SessionRequestId:
                op.InAuthorization = true;
                // Now the user's browser decides; the session's own callback time-out bounds that wait.
                Timers.Cancel(ReplyDeadlineKey);
                Transition(ConnectionState.OAuthStarted, new AuthorizationUrlData(url.Url));
                return;
            case SessionRequestFailed failed when op is not null && failed.RequestId == op.SessionRequestId && op.Cancelling:
                Fail(new ClientError(ClientErrorKind.Cancelled, "the host cancelled the operation", failed.Failure));
                return;
            case SessionRequestFailed failed when op is not null && failed.RequestId == op.SessionRequestId:
                if (op.OnSessionFailure is { } tolerate)
                {
                    op.OnSessionFailure = null;
                    op.Next = null;
                    Run(() => tolerate(failed.Failure));
                    return;
                }
                Fail(ClientErrors.FromSession(failed.Failure, op.Interactive));
                return;
            case RegistryRequestFailed refused when op is not null && refused.RequestId == op.StepRequestId:
                Fail(ClientErrors.FromRegistry(refused));
                return;
        }
        if (op?.Next is not { } next)
        {
            _log.Debug("Ignoring {0} for {1}: no step waits for it", message.GetType().Name, _server);
            return;
        }
        if (op.Cancelling && SessionReplies.RequestIdOf(message) == op.SessionRequestId)
        {
            // The session finished before the cancel reached it: the host still asked to stop here.
            Fail(new ClientError(ClientErrorKind.Cancelled, "the host cancelled the operation"));
            return;
        }
        if (op.InAuthorization && SessionReplies.RequestIdOf(message) == op.SessionRequestId)
        {
            // The authorization the session ran for this call is done: back the way §2.3 describes.
            op.InAuthorization = false;
            Transition(ConnectionState.Main);
            if (op.AfterAuthorization is { } resume)
            {
                Transition(resume);
            }
        }
        Run(() =>
        {
            if (!next(message))
            {
                _log.Debug("Ignoring {0} for {1}: not the reply the step waits for", message.GetType().Name, _server);
            }
        });
    }

    private void OnAnswer(AnswerQuestion answer)
    {
        if (_op?.QuestionId != answer.QuestionId || _op.OnAnswer is not { } onAnswer)
        {
            Sender.Tell(new ClientRequestFailed(answer.RequestId, new ClientError(ClientErrorKind.InvalidState, $"no question '{answer.QuestionId}' is waiting")));
            return;
        }
        var op = _op;
        try
        {
            op.QuestionId = null;
            op.OnAnswer = null;
            onAnswer(answer.Answer);
            Sender.Tell(new QuestionAnswered(answer.RequestId));
        }
        catch (Exception e) when (e is ClientFlowException or ApiException)
        {
            // A wrong answer leaves the question open: the host may answer again or cancel.
            op.QuestionId = answer.QuestionId;
            op.OnAnswer = onAnswer;
            var kind = e is ClientFlowException flow ? flow.Kind : ClientErrorKind.InvalidState;
            Sender.Tell(new ClientRequestFailed(answer.RequestId, new ClientError(kind, e.Message)));
        }
    }

    private void OnStartFailover(StartFailover start)
    {
        if (!FailoverStart.IsTunnelUp(_current))
        {
            Sender.Tell(new ClientRequestFailed(start.RequestId, new ClientError(ClientErrorKind.InvalidState, $"failover probes a tunnel that is up; the connection is {_current}")));
            return;
        }
        if (_failover.IsRunning)
        {
            Sender.Tell(new ClientRequestFailed(start.RequestId, new ClientError(ClientErrorKind.Busy, "a failover probe of this tunnel is already running")));
            return;
        }
        if (FailoverStart.Gateway(start.Gateway, _configuration, out var error) is not { } gateway)
        {
            Sender.Tell(new ClientRequestFailed(start.RequestId, error!));
            return;
        }
        var probeId = NextId("failover");
        var probe = Context.ActorOf(FailoverProbeActor.Props(probeId, _deps.Failover, _deps.FailoverDependencies), $"failover-{_ids}");
        // The verdict comes here first: the subscribers hear of it, and a cancel or a tunnel going down can end it.
        _failover.Started(probe, probeId, Sender, start.RequestId);
        probe.Tell(new StartProbe(probeId, gateway, start.Mtu, start.InterfaceName));
    }

    private void OnProbeVerdict(ProbeVerdict verdict)
    {
        if (_failover.Finished(verdict) is not { } requester)
        {
            return;
        }
        requester.Requester.Tell(verdict);
        Context.Parent.Tell(new FailoverVerdictReady(_server.ToString(), _server, requester.RequestId, verdict, Now));
    }

    private void OnCancelFailover(CancelFailover cancel) => Sender.Tell(new OperationCancelled(cancel.RequestId, _failover.Cancel()));

    private void OnCancel(CancelOperation cancel)
    {
        var op = _op;
        Sender.Tell(new OperationCancelled(cancel.RequestId, op is not null));
        if (op is null || op.Cancelling)
        {
            return;
        }
        if (op is { Next: not null, WaitingFor: "session", SessionRequestInteractive: true })
        {
            // In any phase, not only once the URL is out: a job left running would listen for a callback and
            // hold this server's later requests in the session's stash until its time-out. The session stops
            // the job and answers the pending request with Cancelled, which ends the operation.
            op.Cancelling = true;
            SendCancelAuthorization(op);
            // Also after the browser wait (which had no deadline): a lost confirmation must not keep the server busy.
            ArmDeadline(op);
            return;
        }
        Fail(new ClientError(ClientErrorKind.Cancelled, "the host cancelled the operation"));
    }

    private void SendCancelAuthorization(Operation op)
    {
        if (op.SessionTarget is { } target && op.SessionRequestId is { } sessionRequest)
        {
            _deps.Sessions.Tell(new SessionEnvelope(_server, target.AuthorizationBaseUrl, target.OrganizationId, target.AuthenticationUrlTemplate,
                new CancelAuthorization(sessionRequest)));
        }
    }

    private void OnHostState(SetConnectionState set)
    {
        var id = NextId("host");
        _hostStateRequests[id] = (Sender, set.RequestId);
        _stateMachine.Tell(new SetHostConnectionState(id, set.State));
    }

    private void OnTransitioned(ConnectionTransitioned done)
    {
        if (_hostStateRequests.Remove(done.RequestId, out var host))
        {
            _current = done.Change.To;
            _failover.StopIfTunnelDown(_current, Context);
            host.ReplyTo.Tell(done with { RequestId = host.RequestId });
        }
    }

    private void OnTransitionRefused(ConnectionTransitionRefused refused)
    {
        if (_hostStateRequests.Remove(refused.RequestId, out var host))
        {
            host.ReplyTo.Tell(refused with { RequestId = host.RequestId });
            return;
        }
        // An engine transition lost a race with the host: the operation cannot go on from here.
        _current = refused.From;
        if (_op is not null)
        {
            Fail(new ClientError(ClientErrorKind.InvalidState, refused.Reason), rollBack: false);
        }
    }

    private void EnsureAllowed(ConnectionState to)
    {
        if (!ConnectionStateMachine.CanTransition(_current, to))
        {
            throw new ClientFlowException(ClientErrorKind.InvalidState, ConnectionStateMachine.InvalidTransitionMessage(_current, to));
        }
    }

    private void BackToMain()
    {
        if (_current != ConnectionState.Main)
        {
            Transition(ConnectionState.Main);
        }
    }

    private void Transition(ConnectionState to, ConnectionStateData? data = null)
    {
        _stateMachine.Tell(new TransitionConnection(NextId("transition"), to, data));
        _current = to;
        _failover.StopIfTunnelDown(_current, Context);
    }

    private void Complete(object reply)
    {
        var op = _op!;
        _op = null;
        Timers.Cancel(ReplyDeadlineKey);
        op.ReplyTo.Tell(reply);
        StopIfAsked();
    }

    /// <summary>
    /// Asks the client to stop this connection once its server is gone (removed, or never added), so
    /// state queries about it go to the registry and answer UnknownServer. Only an idle connection in
    /// Main goes: anything else still means something to the host.
    /// </summary>
    private void Retire()
    {
        if (_op is null && _current == ConnectionState.Main && _hostStateRequests.Count == 0 && _retiring is null)
        {
            _retiring = NextId("retire");
            _stateMachine.Tell(new GetConnectionState(_retiring));
        }
    }

    private void StopIfAsked()
    {
        if (_stopWhenIdle && _op is null)
        {
            Context.Stop(Self);
        }
    }

    private void Fail(ClientError error, bool rollBack = true)
    {
        var op = _op;
        if (op is null)
        {
            return;
        }
        _op = null;
        Timers.Cancel(ReplyDeadlineKey);
        op.OnFailure?.Invoke();
        if (rollBack)
        {
            RollBack(op.StartState);
        }
        op.ReplyTo.Tell(new ClientRequestFailed(op.RequestId, error));
        if (op.RetireOnFailure || error.Kind == ClientErrorKind.UnknownServer)
        {
            Retire();
        }
        StopIfAsked();
    }

    /// <summary>Back to where the operation started, by allowed transitions only (eduvpn-common can get stuck in an ask state).</summary>
    private void RollBack(ConnectionState start)
    {
        if (_current == start)
        {
            return;
        }
        if (_current is ConnectionState.AskProfile or ConnectionState.AskLocation)
        {
            Transition(ConnectionState.GettingConfig);
        }
        var target = start is ConnectionState.Disconnected && ConnectionStateMachine.CanTransition(_current, start) ? start : ConnectionState.Main;
        if (_current != target)
        {
            Transition(target);
        }
    }

    /// <summary>The deadline of the step numbered <paramref name="Step"/>.</summary>
    private sealed record ReplyDeadline(long Step) : INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout, IDeadLetterSuppression;

    /// <summary>The one running operation: who waits for it and which reply the current step expects.</summary>
    private sealed class Operation(string requestId, IActorRef replyTo, ConnectionState startState)
    {
        public string RequestId { get; } = requestId;
        public IActorRef ReplyTo { get; } = replyTo;
        public ConnectionState StartState { get; } = startState;
        public Func<object, bool>? Next { get; set; }
        public string? WaitingFor { get; set; }
        public string? StepRequestId { get; set; }
        public long Step { get; set; }
        public bool Interactive { get; set; } = true;
        public ConnectionState? AfterAuthorization { get; set; }
        public bool InAuthorization { get; set; }
        public SessionTarget? SessionTarget { get; set; }
        public string? SessionRequestId { get; set; }
        public bool SessionRequestInteractive { get; set; }
        /// <summary>The host cancelled while an interactive session request was out; the session's answer ends the operation.</summary>
        public bool Cancelling { get; set; }
        /// <summary>A fresh organization list was asked for in this operation: at most once, never a loop.</summary>
        public bool OrganizationsRefreshed { get; set; }
        public string? QuestionId { get; set; }
        public Action<string>? OnAnswer { get; set; }
        public Action? OnFailure { get; set; }
        public bool RetireOnFailure { get; set; }
        public Action<SessionFailure>? OnSessionFailure { get; set; }
    }
}
