using Akka.Actor;
using Akka.Event;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client.Operations;

/// <summary>
/// The base of the client's short-lived workers: one operation of a server, or one sub-flow of an
/// operation. A worker lives for one run and answers its parent exactly once: with its result, or with
/// a typed failure for every other way a step can end (a refusal, a lost reply at the step's deadline,
/// a cancel, a sub-flow that fails or dies). It waits for one reply at a time, matched by request id;
/// replies that come after it stopped go to dead letters, so no step counters are needed.
/// </summary>
internal abstract class ClientStepActor : ReceiveActor, IWithTimers
{
    private const string DeadlineKey = "deadline";

    private readonly string _idPrefix;
    private int _ids;
    private string? _awaitedId;
    private string _awaited = "";
    private TimeSpan _limit;
    private IActorRef? _subflow;
    private bool _ended;

    /// <summary>Creates the worker of <paramref name="operation"/>.</summary>
    protected ClientStepActor(OperationContext operation)
    {
        Operation = operation;
        // Unique for the client's lifetime (connection and operation names are never reused), so a late cancel
        // naming an earlier request can never stop a newer one in the session.
        var self = Self.Path.ToStringWithoutAddress();
        _idPrefix = $"{operation.Server}#{self[(operation.Connection.Path.Parent.ToStringWithoutAddress().Length + 1)..]}";
    }

    /// <summary>Whose operation this is, and what it may use.</summary>
    protected OperationContext Operation { get; }

    /// <summary>The engine actors and settings.</summary>
    protected ClientDependencies Deps => Operation.Deps;

    /// <summary>The worker's log.</summary>
    protected ILoggingAdapter Log { get; } = Context.GetLogger();

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A worker never restarts: it stops, and its parent answers for it.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        Log.Error(e, "A step of {Server} failed unexpectedly", Operation.Server);
        return Directive.Stop;
    });

    /// <summary>The message that reports <paramref name="error"/> to the parent.</summary>
    protected abstract object FailureMessage(ClientError error);

    /// <summary>A request id for <paramref name="step"/>, unique for the client's lifetime.</summary>
    protected string NextId(string step) => $"{_idPrefix}/{step}-{++_ids}";

    /// <summary>Sends <paramref name="request"/> and waits for the reply carrying <paramref name="requestId"/> until the step's deadline.</summary>
    /// <param name="target">Who answers.</param>
    /// <param name="request">The request.</param>
    /// <param name="waitingFor">Who answers, for the time-out message.</param>
    /// <param name="requestId">The id the reply carries (null: discovery's replies carry none).</param>
    /// <param name="limit">The step's deadline (default: the reply time-out).</param>
    protected void Send(IActorRef target, object request, string waitingFor, string? requestId, TimeSpan? limit = null)
    {
        WaitFor(waitingFor, requestId, limit ?? Operation.Settings.ReplyTimeout);
        target.Tell(request);
    }

    /// <summary>Waits for <paramref name="requestId"/> from <paramref name="waitingFor"/> with a new deadline, e.g. once the user takes over.</summary>
    protected void WaitFor(string waitingFor, string? requestId, TimeSpan limit)
    {
        _awaited = waitingFor;
        _awaitedId = requestId;
        _limit = limit;
        Timers.StartSingleTimer(DeadlineKey, StepDeadline.Instance, limit);
    }

    /// <summary>Whether <paramref name="requestId"/> is the reply the running step waits for.</summary>
    protected bool Awaits(string? requestId) => requestId is not null && requestId == _awaitedId;

    /// <summary>Sends a request to the registry.</summary>
    protected void AskRegistry(IRegistryRequest request) => Send(Deps.Registry, request, "registry", request.RequestId);

    /// <summary>Sends a request to the session of this server, authorizing at <paramref name="target"/>.</summary>
    protected void AskSession(SessionTarget target, ISessionRequest request) =>
        Send(Deps.Sessions, Envelope(target, request), "session", request.RequestId);

    /// <summary>The envelope that routes <paramref name="request"/> to this server's session.</summary>
    protected SessionEnvelope Envelope(SessionTarget target, ISessionRequest request) =>
        new(Operation.Server, target.AuthorizationBaseUrl, target.OrganizationId, target.AuthenticationUrlTemplate, request);

    /// <summary>Moves the connection's state machine (its owner applies or refuses it; a refusal ends the operation).</summary>
    protected void Transition(ConnectionState to, ConnectionStateData? data = null) =>
        Operation.Connection.Tell(new TransitionConnection(NextId("transition"), to, data));

    /// <summary>Back to Main, unless the state machine is there already (an authorization on the way went there).</summary>
    protected void BackToMain() => Operation.Connection.Tell(ReturnToMain.Instance);

    /// <summary>Looks <paramref name="query"/> up in discovery (a <see cref="Subflows.DiscoveryLookupActor"/>); answers <see cref="DiscoveryResolved"/>.</summary>
    protected void LookUp(Subflows.DiscoveryQuery query, bool organizationsRefreshed = false) =>
        RunSubflow(Subflows.DiscoveryLookupActor.Props(Operation, query, organizationsRefreshed), "discovery");

    /// <summary>Starts a sub-flow; its result or failure arrives as a message, and its death fails this worker.</summary>
    protected void RunSubflow(Props props, string name)
    {
        Timers.Cancel(DeadlineKey);
        _awaitedId = null;
        _subflow = Context.Watch(Context.ActorOf(props, $"{name}-{++_ids}"));
    }

    /// <summary>Whether <paramref name="sender"/> is the running sub-flow; its result is then taken (it stops on its own).</summary>
    protected bool FromSubflow(IActorRef sender) => _subflow is not null && _subflow.Equals(sender);

    /// <summary>Takes the running sub-flow's result: it is done, its stop is no failure.</summary>
    protected void SubflowDone()
    {
        if (_subflow is not null)
        {
            Context.Unwatch(_subflow);
            _subflow = null;
        }
    }

    /// <summary>Runs a step of pure rules; their typed failure ends the worker with it.</summary>
    protected void Step(Action body)
    {
        try
        {
            body();
        }
        catch (ClientFlowException e)
        {
            Fail(e.ToError());
        }
    }

    /// <summary>Answers the parent with <paramref name="result"/> and stops.</summary>
    protected void Finish(object result)
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        Timers.CancelAll();
        Context.Parent.Tell(result);
        Context.Stop(Self);
    }

    /// <summary>Answers the parent with <paramref name="error"/> and stops.</summary>
    protected void Fail(ClientError error)
    {
        if (!_ended)
        {
            OnFailing(error);
        }
        Finish(FailureMessage(error));
    }

    /// <summary>Undoes what must not outlive a failure, before the parent hears of it.</summary>
    protected virtual void OnFailing(ClientError error)
    {
    }

    /// <summary>The host cancelled: a running sub-flow decides how (an authorization is cancelled in the session); else at once.</summary>
    protected virtual void OnCancel()
    {
        if (_subflow is not null)
        {
            _subflow.Tell(CancelRequested.Instance);
            return;
        }
        Fail(new ClientError(ClientErrorKind.Cancelled, "the host cancelled the operation"));
    }

    /// <summary>The step's deadline passed without its reply.</summary>
    protected virtual void OnDeadline()
    {
        Log.Warning("No reply from the {WaitingFor} for {Server} within {Limit}; the operation fails", _awaited, Operation.Server, _limit);
        Fail(new ClientError(ClientErrorKind.Timeout, $"the {_awaited} did not answer within {_limit.TotalSeconds:0.###} seconds"));
    }

    /// <summary>The session refused the awaited request.</summary>
    protected virtual void OnSessionFailed(SessionRequestFailed failed) =>
        Fail(ClientErrors.FromSession(failed.Failure, Operation.Interactive));

    /// <summary>What every state of every worker handles: failures, deadlines, cancels and questions nobody asked.</summary>
    protected void HandleCommon()
    {
        Receive<StepDeadline>(_ => OnDeadline());
        Receive<RegistryRequestFailed>(refused => Awaits(refused.RequestId), refused => Fail(ClientErrors.FromRegistry(refused)));
        Receive<SessionRequestFailed>(failed => Awaits(failed.RequestId), OnSessionFailed);
        Receive<SubflowFailed>(failed => FromSubflow(Sender), failed =>
        {
            SubflowDone();
            Fail(failed.Error);
        });
        Receive<Terminated>(stopped => FromSubflow(stopped.ActorRef), _ =>
        {
            _subflow = null;
            Fail(new ClientError(ClientErrorKind.Internal, "a step of the operation stopped without an answer"));
        });
        Receive<CancelRequested>(_ => OnCancel());
        Receive<AnswerQuestion>(answer =>
        {
            // A question is asked by a sub-flow; without one running, nothing waits for an answer here.
            if (_subflow is not null)
            {
                _subflow.Forward(answer);
                return;
            }
            Sender.Tell(new ClientRequestFailed(answer.RequestId, new ClientError(ClientErrorKind.InvalidState, $"no question '{answer.QuestionId}' is waiting")));
        });
    }

    /// <summary>The running step's deadline (a replaced or cancelled timer's tick is dropped by the timers).</summary>
    private sealed record StepDeadline : INoSerializationVerificationNeeded, INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly StepDeadline Instance = new();
    }
}

/// <summary>An operation of one server (the connection's child): it ends with the reply to its requester.</summary>
internal abstract class OperationActor : ClientStepActor
{
    /// <summary>Creates the operation answering request <paramref name="requestId"/>.</summary>
    protected OperationActor(OperationContext operation, string requestId) : base(operation) => RequestId = requestId;

    /// <summary>The request the operation answers.</summary>
    protected string RequestId { get; }

    /// <summary>The operation that answers <paramref name="request"/>.</summary>
    public static Props PropsFor(OperationContext operation, IClientRequest request) => request switch
    {
        AddServer add => AddServerOperation.Props(operation, add),
        GetConfig get => GetConfigOperation.Props(operation, get),
        RenewSession renew => RenewSessionOperation.Props(operation, renew),
        Cleanup cleanup => CleanupOperation.Props(operation, cleanup),
        SetProfile or SetLocation => ChangeChoiceOperation.Props(operation, (IServerRequest)request),
        RemoveServer remove => RemoveServerOperation.Props(operation, remove),
        _ => throw new ArgumentException($"not an operation: {request.GetType().Name}", nameof(request)),
    };

    /// <summary>Set when the server turned out not to be (or no longer be) in the registry.</summary>
    protected bool ServerGone { get; set; }

    /// <summary>Ends the operation with <paramref name="reply"/> for the requester.</summary>
    protected void Complete(object reply) => Finish(new OperationEnded(reply, ServerGone));

    /// <inheritdoc/>
    protected override object FailureMessage(ClientError error) =>
        new OperationEnded(new ClientRequestFailed(RequestId, error), ServerGone || error.Kind == ClientErrorKind.UnknownServer);

}

/// <summary>An operation on a server that was added (all but add): it starts with the server's record.</summary>
internal abstract class RecordOperationActor(OperationContext operation, string requestId) : OperationActor(operation, requestId)
{
    /// <summary>Reads the server's record first.</summary>
    protected override void PreStart()
    {
        AskRegistry(new GetServerRecords(NextId("registry")));
        Become(ReadingRecord);
    }

    /// <summary>The next step, with the server's record.</summary>
    protected abstract void OnRecord(ServerRecord record);

    private void ReadingRecord()
    {
        Receive<ServerRecords>(records => Awaits(records.RequestId), records => Step(() =>
            OnRecord(records.Servers.FirstOrDefault(s => s.Id == Operation.Server)
                ?? throw new ClientFlowException(ClientErrorKind.UnknownServer, $"the server {Operation.Server} was not added"))));
        HandleCommon();
    }
}

/// <summary>A reusable piece of an operation (a discovery lookup, a session step, a release): it ends with a message to the operation.</summary>
internal abstract class SubflowActor(OperationContext operation) : ClientStepActor(operation)
{
    /// <inheritdoc/>
    protected override object FailureMessage(ClientError error) => new SubflowFailed(error);
}
