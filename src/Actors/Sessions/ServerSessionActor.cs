using System.Net;
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
/// flow and makes its API calls. One request runs at a time (a "job"); others wait in the stash,
/// except <see cref="CancelAuthorization"/> and <see cref="GetSessionStatus"/>. A job advances in
/// steps (well-known, authorization or refresh, API call), each an async task piped back here.
/// </summary>
public sealed class ServerSessionActor : ReceivePersistentActor, IWithTimers
{
    private const string CallbackTimerKey = "callback-timeout";

    private readonly ServerId _server;
    private readonly SessionSettings _settings;
    private readonly SessionHttp _http;
    private readonly TokenClient _tokenClient;
    private readonly ITokenProtector _protector;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _releaseTimeout;
    private readonly JournalWork _journalWork;

    // Fetched fresh once per run (client rule 3), keyed by the base URL asked for.
    private readonly Dictionary<string, WellKnownDocument> _wellKnown = new(StringComparer.Ordinal);
    private OAuthTokens? _tokens;
    private Job? _job;
    private int _lastJobId;
    // A ForgetTokens (which runs without a job) whose event is being written.
    private (IActorRef ReplyTo, string RequestId)? _forgetting;

    /// <summary>Creates the session actor of <paramref name="server"/>; use <see cref="Props"/>.</summary>
    public ServerSessionActor(ServerId server, SessionSettings settings, EngineHttpClient http, ITokenProtector protector, TimeProvider time)
    {
        _server = server;
        _settings = settings;
        _http = new SessionHttp(http);
        _tokenClient = new TokenClient(http, time);
        _protector = protector;
        _time = time;
        _releaseTimeout = http.Policy.DisconnectTimeout;
        _journalWork = new JournalWork(Context.System, $"Session {server}", DeleteMessages, DeleteSnapshots, _log);

        Recover<SessionTokensStored>(e => _tokens = Decrypt(e));
        Recover<SessionTokensDropped>(_ => _tokens = null);
        Recover<RecoveryCompleted>(_ => PersistentActorRecovered.Report(Context));

        Command<SessionEnvelope>(OnEnvelope);
        Command<WellKnownLoaded>(m => OnStep(m.JobId, job =>
        {
            _wellKnown[m.BaseUrl] = m.Document;
            Advance(job);
        }));
        Command<StepFailed>(m => OnStep(m.JobId, job => Fail(job, m.Failure)));
        Command<TokensReceived>(m => OnStep(m.JobId, job =>
        {
            try
            {
                StoreTokens(m.Tokens, () =>
                {
                    job.TokensFresh = true;
                    Advance(job);
                });
            }
            catch (Exception e) when (e is TokenProtectionException or System.Security.Cryptography.CryptographicException or IOException)
            {
                // A host protector that cannot encrypt must not lead to unencrypted storage, nor to a silent hang.
                Fail(job, new SessionFailure(SessionErrorKind.AuthorizationFailed, $"The tokens could not be stored securely ({e.GetType().Name})."));
            }
        }));
        Command<RefreshRejected>(m => OnStep(m.JobId, job =>
        {
            _log.Info("Session {Server}: the server no longer accepts the refresh token; the tokens are dropped", _server);
            DropTokens(() => Advance(job));
        }));
        Command<CallbackArrived>(m => OnStep(m.JobId, job => OnCallback(job, m.Outcome)));
        Command<CallbackTimedOut>(m => OnStep(m.JobId, job => Fail(job, new SessionFailure(SessionErrorKind.TimedOut,
            $"No authorization arrived within {_settings.CallbackTimeout.TotalSeconds:0} seconds."))));
        Command<ApiAnswered>(m => OnStep(m.JobId, job => OnApiAnswer(job, m.Response)));
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
                    Fail(running, new SessionFailure(SessionErrorKind.Cancelled, "The authorization was cancelled."));
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
        if (envelope.Request is ForgetTokens forget)
        {
            var replyTo = Sender;
            _forgetting = (replyTo, forget.RequestId);
            DropTokens(() =>
            {
                _forgetting = null;
                _journalWork.WhenDone(() => replyTo.Tell(new TokensForgotten(forget.RequestId)));
            });
            return;
        }
        var interactive = SessionRequests.IsInteractive(envelope.Request);
        if (envelope.Request is not (EnsureAuthorized or FetchInfo or RequestConfig or ReleaseConfig))
        {
            Sender.Tell(new SessionRequestFailed(envelope.Request.RequestId,
                new SessionFailure(SessionErrorKind.ServerError, $"Unknown session request {envelope.Request.GetType().Name}.")));
            return;
        }
        _job = new Job(++_lastJobId, Sender, envelope, interactive, CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
        Advance(_job);
    }

    /// <summary>Runs <paramref name="handle"/> when the message belongs to the running job; late answers of ended jobs are dropped.</summary>
    private void OnStep(int jobId, Action<Job> handle)
    {
        if (_job is { } job && job.Id == jobId)
        {
            handle(job);
        }
    }

    /// <summary>Starts the next step of the job, or answers it when nothing is missing.</summary>
    private void Advance(Job job)
    {
        var authBase = job.Envelope.AuthorizationBaseUrl;
        if (!_wellKnown.TryGetValue(authBase, out var authServer))
        {
            FetchWellKnown(job, authBase);
            return;
        }
        var apiBase = ApiBaseOf(job.Envelope.Request);
        if (apiBase is not null && !_wellKnown.ContainsKey(apiBase))
        {
            FetchWellKnown(job, apiBase);
            return;
        }
        if (_tokens is null)
        {
            if (!job.Interactive || job.AuthorizationStarted)
            {
                Fail(job, new SessionFailure(SessionErrorKind.AuthorizationRequired,
                    "The server needs a new authorization, and this request may not ask the user."));
                return;
            }
            StartAuthorization(job, authServer);
            return;
        }
        if (!job.TokensFresh && _tokens.IsExpired(_time.GetUtcNow(), _settings.ExpiryMargin))
        {
            var tokens = _tokens;
            Pipe(job, _tokenClient.RefreshAsync(authServer.TokenEndpoint, _settings.ClientId, tokens, job.Cancellation.Token),
                refreshed => new TokensReceived(job.Id, refreshed));
            return;
        }
        switch (job.Envelope.Request)
        {
            case EnsureAuthorized ensure:
                Finish(job, new SessionAuthorized(ensure.RequestId, _server, _tokens.AuthorizedAt));
                return;
            case FetchInfo:
                CallApi(job, HttpMethod.Get, "/info", null, null, null);
                return;
            case RequestConfig config:
                CallApi(job, HttpMethod.Post, "/connect", config.Form, config.Accept, null);
                return;
            case ReleaseConfig:
                CallApi(job, HttpMethod.Post, "/disconnect", [], null, _releaseTimeout);
                return;
        }
    }

    private void FetchWellKnown(Job job, string baseUrl) =>
        Pipe(job, _http.FetchWellKnownAsync(baseUrl, job.Cancellation.Token), document => new WellKnownLoaded(job.Id, baseUrl, document));

    private void CallApi(Job job, HttpMethod method, string call, IReadOnlyList<KeyValuePair<string, string>>? form, IReadOnlyList<string>? accept, TimeSpan? timeout)
    {
        var url = _wellKnown[ApiBaseOf(job.Envelope.Request)!].ApiCall(call);
        Pipe(job, _http.CallAsync(method, url, _tokens!.AccessToken, form, accept, timeout, job.Cancellation.Token),
            response => new ApiAnswered(job.Id, response));
    }

    private void OnApiAnswer(Job job, HttpResponse response)
    {
        var request = job.Envelope.Request;
        if (response.Status == HttpStatusCode.Unauthorized && request is not ReleaseConfig && !job.RetriedAfter401)
        {
            // The token is expired or revoked: refresh once (a refused refresh leads to a new authorization).
            job.RetriedAfter401 = true;
            job.TokensFresh = false;
            _tokens = _tokens?.WithAccessExpired();
            Advance(job);
            return;
        }
        var success = (int)response.Status is >= 200 and < 300;
        switch (request)
        {
            case ReleaseConfig release:
                Finish(job, new ConfigReleased(release.RequestId, success));
                return;
            case FetchInfo info when success:
                try
                {
                    Finish(job, new InfoFetched(info.RequestId, InfoDocument.Parse(response.Body), _tokens?.AuthorizedAt));
                }
                catch (ApiException e)
                {
                    Fail(job, new SessionFailure(SessionErrorKind.MalformedResponse, e.Message, (int)response.Status));
                }
                return;
            case RequestConfig config when success:
                var expires = response.ContentHeaders is { } headers && headers.TryGetValues("Expires", out var values)
                    ? string.Join(", ", values)
                    : null;
                Finish(job, new ConfigReceived(config.RequestId, response.ContentType, expires, System.Text.Encoding.UTF8.GetString(response.Body), _tokens?.AuthorizedAt));
                return;
        }
        var where = response.FinalUrl.GetLeftPart(UriPartial.Path);
        Fail(job, response.Status == HttpStatusCode.Unauthorized
            ? new SessionFailure(SessionErrorKind.AuthorizationFailed, $"'{where}' refused the new access token too.", 401)
            {
                ServerMessage = ServerErrorText.From(response.Body, response.ContentType, _tokens?.AccessToken, _tokens?.RefreshToken),
            }
            : SessionErrors.FromResponse(response, $"'{where}' answered with status {(int)response.Status}.", _tokens?.AccessToken, _tokens?.RefreshToken));
    }

    private void StartAuthorization(Job job, WellKnownDocument authServer)
    {
        job.AuthorizationStarted = true;
        var issuer = CallbackValidator.IssuerOf(authServer.AuthorizationEndpoint);
        var state = Pkce.NewRandomValue();
        try
        {
            job.Listener = LoopbackCallbackListener.Start(_settings.LoopbackHost, _settings.CallbackPort, _settings.CallbackPath,
                query => CallbackValidator.Validate(query, state, issuer));
        }
        catch (System.Net.Sockets.SocketException e)
        {
            // Named with the port when it is fixed: a busy registered port is the likely cause, not the host.
            var where = _settings.CallbackPort == 0 ? _settings.LoopbackHost : $"{_settings.LoopbackHost}:{_settings.CallbackPort}";
            Fail(job, new SessionFailure(SessionErrorKind.AuthorizationFailed, $"Could not listen for the authorization callback on {where}: {e.SocketErrorCode}."));
            return;
        }
        var envelope = job.Envelope;
        var request = AuthorizationRequest.Create(authServer.AuthorizationEndpoint, _settings.ClientId, job.Listener.RedirectUri,
            envelope.AuthenticationUrlTemplate, envelope.OrganizationId, state);
        job.Authorization = request;
        job.AuthorizationServer = authServer;
        Pipe(job, job.Listener.Result, outcome => new CallbackArrived(job.Id, outcome));
        Timers.StartSingleTimer(CallbackTimerKey, new CallbackTimedOut(job.Id), _settings.CallbackTimeout);
        _log.Info("Session {Server}: waiting for the user to authorize in the browser (callback on {RedirectUri})", _server, job.Listener.RedirectUri);
        job.Requester.Tell(new AuthorizationUrlReady(envelope.Request.RequestId, _server, request.Url));
    }

    private void OnCallback(Job job, CallbackOutcome outcome)
    {
        Timers.Cancel(CallbackTimerKey);
        job.CloseListener();
        switch (outcome)
        {
            case CallbackOutcome.Code code:
                var request = job.Authorization!;
                Pipe(job, _tokenClient.ExchangeCodeAsync(job.AuthorizationServer!.TokenEndpoint, request.ClientId, code.Value,
                        request.CodeVerifier, request.RedirectUri, job.Cancellation.Token),
                    tokens => new TokensReceived(job.Id, tokens));
                return;
            case CallbackOutcome.Failed failed:
                Fail(job, failed.Failure);
                return;
        }
    }

    /// <summary>Persists the encrypted tokens first; only then are they used (a refresh token is single use).</summary>
    private void StoreTokens(OAuthTokens tokens, Action then)
    {
        var blob = _protector.Protect(tokens.ToBytes(), PersistenceId);
        Persist(new SessionTokensStored(blob, _time.GetUtcNow().ToUnixTimeMilliseconds()), _ =>
        {
            _tokens = tokens;
            DeleteOlderEvents();
            then();
        });
    }

    private void DropTokens(Action then)
    {
        Persist(new SessionTokensDropped(_time.GetUtcNow().ToUnixTimeMilliseconds()), _ =>
        {
            _tokens = null;
            DeleteOlderEvents();
            then();
        });
    }

    // Every event replaces the state before it: the journal keeps only the newest (replies wait for the delete).
    private void DeleteOlderEvents()
    {
        if (LastSequenceNr > 1)
        {
            _journalWork.DeleteEventsUpTo(LastSequenceNr - 1);
        }
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
        var failure = new SessionFailure(SessionErrorKind.Storage, $"The session could not be stored ({cause.GetType().Name}: {cause.Message}); nothing was kept.");
        _log.Warning("Session {Server}: storing failed ({Error}); the waiting request fails", _server, cause.GetType().Name);
        if (stopping)
        {
            foreach (var held in Stash.ClearStash())
            {
                if (StorageRefusals.For(held.Message, failure.Message) is { } refusal)
                {
                    held.Sender.Tell(refusal);
                }
            }
        }
        if (_forgetting is { } forgetting)
        {
            _forgetting = null;
            forgetting.ReplyTo.Tell(new SessionRequestFailed(forgetting.RequestId, failure));
        }
        if (_job is { } job)
        {
            Fail(job, failure);
        }
    }

    private OAuthTokens? Decrypt(SessionTokensStored stored)
    {
        try
        {
            return OAuthTokens.FromBytes(_protector.Unprotect(stored.ProtectedTokens, PersistenceId));
        }
        catch (Exception e) when (e is TokenProtectionException or System.Text.Json.JsonException)
        {
            _log.Warning("Session {Server}: the stored tokens cannot be read ({Reason}); a new authorization will be needed", _server, e.Message);
            return null;
        }
    }

    private void Pipe<T>(Job job, Task<T> task, Func<T, object> success) =>
        task.PipeTo(Self, success: success, failure: e => Unwrap(e) switch
        {
            RefreshRejectedException => new RefreshRejected(job.Id),
            OperationCanceledException when job.Cancellation.IsCancellationRequested =>
                new StepFailed(job.Id, new SessionFailure(SessionErrorKind.Cancelled, "The request was cancelled.")),
            var other => new StepFailed(job.Id, SessionErrors.From(other)),
        });

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerException: { } inner } ? Unwrap(inner) : e;

    private void Fail(Job job, SessionFailure failure)
    {
        if (failure.ServerMessage is { } said)
        {
            // Client rule 32: the server's own words are logged for support (as data; never branched on).
            _log.Warning("Session {Server}: {Request} failed: {Kind} ({Reason}); the server said: {ServerMessage}",
                _server, job.Envelope.Request.GetType().Name, failure.Kind, failure.Message, said);
        }
        else
        {
            _log.Info("Session {Server}: {Request} failed: {Kind} ({Reason})", _server, job.Envelope.Request.GetType().Name, failure.Kind, failure.Message);
        }
        Finish(job, job.Envelope.Request is ReleaseConfig release
            ? new ConfigReleased(release.RequestId, false)
            : new SessionRequestFailed(job.Envelope.Request.RequestId, failure));
    }

    private void Finish(Job job, object reply)
    {
        Timers.Cancel(CallbackTimerKey);
        var requester = job.Requester;
        _journalWork.WhenDone(() => requester.Tell(reply));
        job.Dispose();
        _job = null;
        Stash.UnstashAll();
    }

    private static string? ApiBaseOf(ISessionRequest request) => request switch
    {
        FetchInfo f => f.ApiBaseUrl,
        RequestConfig c => c.ApiBaseUrl,
        ReleaseConfig r => r.ApiBaseUrl,
        _ => null,
    };

    /// <summary>The request being served and how far it got.</summary>
    private sealed class Job(int id, IActorRef requester, SessionEnvelope envelope, bool interactive, CancellationTokenSource cancellation) : IDisposable
    {
        public int Id { get; } = id;
        public IActorRef Requester { get; } = requester;
        public SessionEnvelope Envelope { get; } = envelope;
        public bool Interactive { get; } = interactive;
        public CancellationTokenSource Cancellation { get; } = cancellation;

        /// <summary>The tokens were obtained in this job: use them even when <c>expires_in</c> is tiny.</summary>
        public bool TokensFresh { get; set; }
        public bool RetriedAfter401 { get; set; }
        public bool AuthorizationStarted { get; set; }
        public LoopbackCallbackListener? Listener { get; set; }
        public AuthorizationRequest? Authorization { get; set; }
        public WellKnownDocument? AuthorizationServer { get; set; }

        public void CloseListener()
        {
            Listener?.Dispose();
            Listener = null;
        }

        public void Dispose()
        {
            CloseListener();
            Cancellation.Cancel();
            Cancellation.Dispose();
        }
    }

    private sealed record WellKnownLoaded(int JobId, string BaseUrl, WellKnownDocument Document) : INoSerializationVerificationNeeded;

    private sealed record StepFailed(int JobId, SessionFailure Failure) : INoSerializationVerificationNeeded;

    private sealed record TokensReceived(int JobId, OAuthTokens Tokens) : INoSerializationVerificationNeeded;

    private sealed record RefreshRejected(int JobId) : INoSerializationVerificationNeeded;

    private sealed record CallbackArrived(int JobId, CallbackOutcome Outcome) : INoSerializationVerificationNeeded;

    private sealed record CallbackTimedOut(int JobId) : INoSerializationVerificationNeeded;

    private sealed record ApiAnswered(int JobId, HttpResponse Response) : INoSerializationVerificationNeeded
    {
        public override string ToString() => $"ApiAnswered {{ JobId = {JobId}, Status = {(int)Response.Status} }}";
    }
}
