using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Persistence;
using EduVpnActors.Actors.Sessions.OAuth;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions;

/// <summary>
/// The OAuth session of one server: owns its tokens (persisted encrypted), runs its authorization
/// flow and makes its API calls. One request runs at a time (a <see cref="SessionJob"/>); others wait in
/// the stash, except <see cref="CancelAuthorization"/> and <see cref="GetSessionStatus"/>. A job advances
/// in steps (well-known, authorization or refresh, API call) that <see cref="SessionJobPlan"/> decides,
/// each an async task piped back here; <see cref="ApiAnswerRules"/> reads the API's answers.
/// </summary>
public sealed class ServerSessionActor : ReceivePersistentActor, IWithTimers
{
    private const string CallbackTimerKey = "callback-timeout";

    private readonly ServerId _server;
    private readonly SessionSettings _settings;
    private readonly SessionSteps _steps;
    private readonly SessionTokenStore _tokenStore;
    private readonly SessionJobPlan _plan;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private readonly JournalWork _journalWork;

    // Fetched fresh once per run (client rule 3), keyed by the base URL asked for.
    private readonly Dictionary<string, WellKnownDocument> _wellKnown = new(StringComparer.Ordinal);
    private OAuthTokens? _tokens;
    private SessionJob? _job;
    private int _lastJobId;

    /// <summary>Creates the session actor of <paramref name="server"/>; use <see cref="Props"/>.</summary>
    public ServerSessionActor(ServerId server, SessionSettings settings, EngineHttpClient http, ITokenProtector protector, TimeProvider time)
    {
        _server = server;
        _settings = settings;
        _steps = new SessionSteps(new SessionHttp(http), new TokenClient(http, time), settings.ClientId);
        _tokenStore = new SessionTokenStore(protector, PersistenceId);
        _plan = new SessionJobPlan(server, settings.ExpiryMargin, http.Policy.DisconnectTimeout);
        _time = time;
        _journalWork = new JournalWork(Context.System, $"Session {server}", DeleteMessages, DeleteSnapshots, _log);

        Recover<SessionTokensStored>(e => _tokens = Open(e));
        Recover<SessionTokensDropped>(_ => _tokens = null);
        Recover<RecoveryCompleted>(_ => PersistentActorRecovered.Report(Context));

        Command<SessionEnvelope>(OnEnvelope);
        // Late results of ended jobs are dropped.
        Command<SessionStepResult>(m =>
        {
            if (_job is { } job && job.Id == m.JobId)
            {
                OnStep(job, m);
            }
        });
        Command<object>(m => _journalWork.Handle(m), JournalWork.IsAnswer);
    }

    /// <summary>The actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc/>
    public override string PersistenceId => PersistenceIdOf(_server);

    /// <summary>The journal id of a server's session.</summary>
    public static string PersistenceIdOf(ServerId server) => "server-session:" + server;

    /// <summary>Props of the session actor of one server.</summary>
    public static Props Props(ServerId server, SessionSettings settings, EngineHttpClient http, ITokenProtector protector, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new ServerSessionActor(server, settings, http, protector, time ?? TimeProvider.System));

    /// <inheritdoc/>
    protected override void PostStop()
    {
        _journalWork.ActorStopped();
        _job?.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void OnEnvelope(SessionEnvelope envelope)
    {
        switch (envelope.Request)
        {
            case GetSessionStatus status:
                Sender.Tell(new SessionStatus(status.RequestId, _server, _tokens is not null, _tokens?.AuthorizedAt, _tokens?.AccessTokenExpiresAt));
                return;
            case CancelAuthorization cancel:
                // Any phase of an interactive job: a cancel that waited for the URL would let the job
                // listen and hold every later request of this server in the stash until the callback time-out.
                if (_job is { Interactive: true } running && running.Envelope.Request.RequestId == cancel.RequestId)
                {
                    Fail(running, SessionFailures.AuthorizationCancelled);
                }
                else
                {
                    _log.Debug("Session {Server}: a cancel found no interactive request {RequestId} to stop", _server, cancel.RequestId);
                }
                return;
        }
        if (_job is not null)
        {
            Stash.Stash();
            return;
        }
        if (!SessionRequests.IsJob(envelope.Request))
        {
            Sender.Tell(new SessionRequestFailed(envelope.Request.RequestId, SessionFailures.UnknownRequest(envelope.Request)));
            return;
        }
        _job = new SessionJob(++_lastJobId, Sender, envelope, CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
        Advance(_job);
    }

    private void OnStep(SessionJob job, SessionStepResult result)
    {
        switch (result)
        {
            case SessionStepResult.WellKnownLoaded loaded:
                _wellKnown[loaded.BaseUrl] = loaded.Document;
                Advance(job);
                return;
            case SessionStepResult.StepFailed failed:
                Fail(job, failed.Failure);
                return;
            case SessionStepResult.TokensReceived received:
                OnTokens(job, received.Tokens);
                return;
            case SessionStepResult.RefreshRejected:
                _log.Info("Session {Server}: the server no longer accepts the refresh token; the tokens are dropped", _server);
                PersistTokens(null, () => Advance(job));
                return;
            case SessionStepResult.CallbackArrived { Outcome: CallbackOutcome.Code code }:
                Timers.Cancel(CallbackTimerKey);
                _steps.Exchange(job, job.EndAuthorization(), code.Value).PipeTo(Self);
                return;
            case SessionStepResult.CallbackArrived { Outcome: CallbackOutcome.Failed failed }:
                Fail(job, failed.Failure);
                return;
            case SessionStepResult.CallbackTimedOut:
                Fail(job, SessionFailures.CallbackTimedOut(_settings.CallbackTimeout));
                return;
            case SessionStepResult.ApiAnswered answered:
                Act(job, ApiAnswerRules.Judge(job.Envelope.Request, answered.Response, _tokens, job.RetriedAfter401));
                return;
        }
    }

    /// <summary>Starts the next step of the job, or answers it when nothing is missing.</summary>
    private void Advance(SessionJob job) => Act(job, _plan.Next(job.Envelope, job.Progress, _wellKnown, _tokens, _time.GetUtcNow()));

    private void Act(SessionJob job, SessionStep step)
    {
        switch (step)
        {
            case SessionStep.Fail fail:
                Fail(job, fail.Failure);
                return;
            case SessionStep.Authorize authorize:
                StartAuthorization(job, authorize.AuthServer);
                return;
            case SessionStep.Answer answer:
                Finish(job, answer.Reply);
                return;
            case SessionStep.RetryAfterRefresh:
                // The token is expired or revoked: refresh once (a refused refresh leads to a new authorization).
                job.RetryAfterRefresh();
                _tokens = _tokens?.WithAccessExpired();
                Advance(job);
                return;
            case SessionStep.Forget:
                PersistTokens(null, () => Finish(job, new TokensForgotten(job.Envelope.Request.RequestId)));
                return;
            case var fetchOrCall:
                _steps.Start(job, fetchOrCall, _tokens).PipeTo(Self);
                return;
        }
    }

    private void StartAuthorization(SessionJob job, WellKnownDocument authServer)
    {
        AuthorizationInProgress authorization;
        try
        {
            authorization = job.StartAuthorization(_settings, authServer);
        }
        catch (SessionException e)
        {
            Fail(job, e.Failure);
            return;
        }
        _steps.AwaitCallback(job, authorization).PipeTo(Self);
        Timers.StartSingleTimer(CallbackTimerKey, new SessionStepResult.CallbackTimedOut(job.Id), _settings.CallbackTimeout);
        _log.Info("Session {Server}: waiting for the user to authorize in the browser (callback on {RedirectUri})", _server, authorization.Request.RedirectUri);
        job.Requester.Tell(new AuthorizationUrlReady(job.Envelope.Request.RequestId, _server, authorization.Request.Url));
    }

    private void OnTokens(SessionJob job, OAuthTokens tokens)
    {
        try
        {
            PersistTokens(tokens, () =>
            {
                job.TokensFresh = true;
                Advance(job);
            });
        }
        catch (Exception e) when (SessionFailures.IsProtectionFailure(e))
        {
            // A host protector that cannot encrypt must not lead to unencrypted storage, nor to a silent hang.
            Fail(job, SessionFailures.TokensNotStorable(e));
        }
    }

    /// <summary>
    /// Stores <paramref name="tokens"/> encrypted (or drops them when null) first; only then are they used (a
    /// refresh token is single use). Every event replaces the state before it: the journal keeps only the
    /// newest (replies wait for the delete).
    /// </summary>
    private void PersistTokens(OAuthTokens? tokens, Action then)
    {
        object stored = tokens is null ? SessionTokenStore.Dropped(_time.GetUtcNow()) : _tokenStore.Stored(tokens, _time.GetUtcNow());
        Persist(stored, _ =>
        {
            _tokens = tokens;
            if (SessionTokenStore.ObsoleteUpTo(LastSequenceNr) is { } upTo)
            {
                _journalWork.DeleteEventsUpTo(upTo);
            }
            then();
        });
    }

    /// <summary>The journal refused the event: whoever waits for it fails with a typed storage error; the session goes on.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        FailWaiting(cause, stopping: false);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <summary>The journal failed (e.g. a full disk): every waiting requester hears a typed storage error before the actor stops (its guard starts it again).</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        FailWaiting(cause, stopping: true);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void FailWaiting(Exception cause, bool stopping)
    {
        var failure = SessionFailures.Storage(cause);
        _log.Warning("Session {Server}: storing failed ({Error}); the waiting request fails", _server, cause.GetType().Name);
        if (stopping)
        {
            StorageRefusals.AnswerAll(Stash.ClearStash(), failure.Message);
        }
        if (_job is { } job)
        {
            Fail(job, failure);
        }
    }

    private OAuthTokens? Open(SessionTokensStored stored)
    {
        var tokens = _tokenStore.Open(stored, out var unreadable);
        if (unreadable is not null)
        {
            _log.Warning("Session {Server}: the stored tokens cannot be read ({Reason}); a new authorization will be needed", _server, unreadable);
        }
        return tokens;
    }

    private void Fail(SessionJob job, SessionFailure failure)
    {
        SessionFailures.LogEntryOf(_server, job.Envelope.Request, failure).WriteTo(_log);
        Finish(job, SessionFailures.ReplyOf(job.Envelope.Request, failure));
    }

    private void Finish(SessionJob job, object reply)
    {
        Timers.Cancel(CallbackTimerKey);
        var requester = job.Requester;
        // The listener closes before anyone hears the outcome: a browser that comes back after it finds nothing.
        job.Dispose();
        _journalWork.WhenDone(() => requester.Tell(reply));
        _job = null;
        Stash.UnstashAll();
    }
}
