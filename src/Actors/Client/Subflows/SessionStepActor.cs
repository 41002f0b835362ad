using Akka.Actor;
using EduVpnActors.Actors.Client.Operations;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client.Subflows;

/// <summary>
/// One session request that may need the user (authorize, <c>/info</c>, <c>/connect</c>):
/// <list type="bullet">
/// <item>an authorization URL on the way moves the connection to OAuthStarted; once the session answers, back
/// to Main and on to the state the operation resumes in (§2.3). The browser wait has its own long deadline;</item>
/// <item>rule 14, §3.5: a Secure Internet server authorized before is asked without the user first; on
/// AuthorizationRequired a fresh organization list (once per operation) gives the current home and WAYF
/// template, and the request goes again, now allowed to ask the user;</item>
/// <item>a cancel stops an interactive request in the session in any phase; the session's answer (or the
/// deadline) ends the step as Cancelled;</item>
/// <item>a newer authorization time is stored before the step answers: expiry and renewal count from it.</item>
/// </list>
/// Answers <see cref="SessionStepSucceeded"/>.
/// </summary>
internal sealed class SessionStepActor : SubflowActor
{
    private readonly SessionCall _call;
    private readonly ConnectionState? _resumeIn;
    private SessionTarget _target;
    private ServerRecord _record;
    private bool _refreshed;
    private bool _checkingFirst;
    private bool _inAuthorization;
    private bool _cancelling;
    private ISessionRequest? _request;
    private object? _reply;

    /// <summary>Creates the step; use <see cref="Props"/>.</summary>
    public SessionStepActor(OperationContext operation, SessionCall call, SessionTarget target, ServerRecord record, bool organizationsRefreshed, ConnectionState? resumeIn)
        : base(operation)
    {
        _call = call;
        _target = target;
        _record = record;
        _refreshed = organizationsRefreshed;
        _resumeIn = resumeIn;
    }

    /// <summary>
    /// A step of <paramref name="call"/> at <paramref name="target"/> for <paramref name="record"/>.
    /// <paramref name="resumeIn"/>: the state to go on in after an authorization (GetConfig: GettingConfig).
    /// </summary>
    public static Props Props(OperationContext operation, SessionCall call, SessionTarget target, ServerRecord record, bool organizationsRefreshed,
        ConnectionState? resumeIn = null) =>
        Akka.Actor.Props.Create(() => new SessionStepActor(operation, call, target, record, organizationsRefreshed, resumeIn));

    /// <inheritdoc/>
    protected override void PreStart() => Call();

    private void Call()
    {
        _checkingFirst = Operation.Interactive && _record.Id.Type == ServerType.SecureInternet && _record.LastAuthorizedAt is not null && !_refreshed;
        _request = _call.Build(NextId(_call.Step), _target, asUser: Operation.Interactive && !_checkingFirst);
        AskSession(_target, _request);
        Become(Calling);
    }

    private void Calling()
    {
        Receive<AuthorizationUrlReady>(url => Awaits(url.RequestId), OnUrl);
        Receive<SessionAuthorized>(reply => Awaits(reply.RequestId), OnReply);
        Receive<InfoFetched>(reply => Awaits(reply.RequestId), OnReply);
        Receive<ConfigReceived>(reply => Awaits(reply.RequestId), OnReply);
        HandleCommon();
    }

    private void OnUrl(AuthorizationUrlReady url)
    {
        if (_cancelling)
        {
            // The session started listening before the cancel reached it (e.g. queued behind another job):
            // no URL for the user, and that job must stop too.
            SendCancel();
            return;
        }
        _inAuthorization = true;
        // Now the user's browser decides; the session's callback time-out bounds that, and this deadline a lost answer.
        WaitFor("session", url.RequestId, Operation.Settings.AuthorizationTimeout);
        Transition(ConnectionState.OAuthStarted, new AuthorizationUrlData(url.Url));
    }

    private void OnReply(object reply)
    {
        if (_cancelling)
        {
            // The session finished before the cancel reached it: the host still asked to stop here.
            Fail(new ClientError(ClientErrorKind.Cancelled, "the host cancelled the operation"));
            return;
        }
        if (_inAuthorization)
        {
            // The authorization the session ran for this call is done: back the way §2.3 describes.
            _inAuthorization = false;
            Transition(ConnectionState.Main);
            if (_resumeIn is { } resume)
            {
                Transition(resume);
            }
        }
        _reply = reply;
        if (SessionCall.AuthorizedAtOf(reply) is not { } at || _record.LastAuthorizedAt == at)
        {
            Succeed();
            return;
        }
        AskRegistry(new RecordAuthorization(NextId("registry"), Operation.Server, at));
        Become(RecordingAuthorization);
    }

    private void RecordingAuthorization()
    {
        Receive<RegistryUpdated>(updated => Awaits(updated.RequestId), updated =>
        {
            _record = updated.Server!;
            Succeed();
        });
        HandleCommon();
    }

    private void Refreshing()
    {
        Receive<DiscoveryResolved>(resolved => FromSubflow(Sender), resolved =>
        {
            SubflowDone();
            _refreshed = true;
            _target = (SessionTarget)resolved.Result!;
            Call();
        });
        HandleCommon();
    }

    private void Succeed() => Finish(new SessionStepSucceeded(_target, _record, _reply!, _refreshed));

    /// <inheritdoc/>
    protected override void OnSessionFailed(SessionRequestFailed failed)
    {
        if (_cancelling)
        {
            Fail(new ClientError(ClientErrorKind.Cancelled, "the host cancelled the operation", failed.Failure));
            return;
        }
        if (_checkingFirst && failed.Failure.Kind == SessionErrorKind.AuthorizationRequired)
        {
            // A new authorization of a known Secure Internet server: a current home and WAYF template first.
            _refreshed = true;
            RunSubflow(DiscoveryLookupActor.Props(Operation, new DiscoveryQuery.Reauthorization(_target, _record), organizationsRefreshed: true, refreshFirst: true), "discovery");
            Become(Refreshing);
            return;
        }
        base.OnSessionFailed(failed);
    }

    /// <inheritdoc/>
    protected override void OnCancel()
    {
        if (_cancelling)
        {
            return;
        }
        if (_request is null || !SessionRequests.IsInteractive(_request) || !Awaits(_request.RequestId))
        {
            base.OnCancel();
            return;
        }
        // In any phase, not only once the URL is out: a job left running would listen for a callback and hold
        // this server's later requests in the session's stash until its time-out. The session stops the job and
        // answers the request with Cancelled, which ends the step; a lost confirmation ends it at the deadline.
        _cancelling = true;
        SendCancel();
        WaitFor("session", _request.RequestId, Operation.Settings.ReplyTimeout);
    }

    /// <inheritdoc/>
    protected override void OnDeadline()
    {
        if (!_cancelling)
        {
            base.OnDeadline();
            return;
        }
        // The session never confirmed (lost reply, restarted child): the host asked to cancel, so it is cancelled.
        Fail(new ClientError(ClientErrorKind.Cancelled,
            $"the host cancelled the operation (the session did not confirm within {Operation.Settings.ReplyTimeout.TotalSeconds:0.###} seconds)"));
    }

    private void SendCancel() => Deps.Sessions.Tell(Envelope(_target, new CancelAuthorization(_request!.RequestId)));
}
