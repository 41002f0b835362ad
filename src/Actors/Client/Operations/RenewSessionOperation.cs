using Akka.Actor;
using EduVpnActors.Actors.Client.Subflows;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client.Operations;

/// <summary>
/// <c>RenewSession</c> (behaviour reference §1.9): <c>/disconnect</c> of a live configuration, the tokens
/// dropped, and a new authorization; the host then asks for a configuration again.
/// </summary>
internal sealed class RenewSessionOperation : RecordOperationActor
{
    private ServerRecord _record = null!;
    private SessionTarget _target = null!;
    private bool _refreshed;

    /// <summary>Creates the operation; use <see cref="Props"/>.</summary>
    public RenewSessionOperation(OperationContext operation, RenewSession request) : base(operation, request.RequestId)
    {
    }

    /// <summary>The operation answering <paramref name="request"/>.</summary>
    public static Props Props(OperationContext operation, RenewSession request) =>
        Akka.Actor.Props.Create(() => new RenewSessionOperation(operation, request));

    /// <inheritdoc/>
    protected override void OnRecord(ServerRecord record)
    {
        _record = record;
        LookUp(new DiscoveryQuery.TargetOrHome(_record));
        Become(ResolvingTarget);
    }

    private void ResolvingTarget()
    {
        Receive<DiscoveryResolved>(_ => FromSubflow(Sender), resolved =>
        {
            SubflowDone();
            (_target, _refreshed) = ((SessionTarget)resolved.Result!, resolved.OrganizationsRefreshed);
            RunSubflow(ConfigReleaseActor.Props(Operation, _target, _record, ReleaseMode.IfLive), "release");
            Become(Releasing);
        });
        HandleCommon();
    }

    private void Releasing()
    {
        Receive<ConfigReleaseDone>(_ => FromSubflow(Sender), released =>
        {
            SubflowDone();
            _record = released.Record;
            AskSession(_target, new ForgetTokens(NextId("forget")));
            Become(ForgettingTokens);
        });
        HandleCommon();
    }

    private void ForgettingTokens()
    {
        Receive<TokensForgotten>(forgotten => Awaits(forgotten.RequestId), _ =>
        {
            RunSubflow(SessionStepActor.Props(Operation, new SessionCall.Authorize(), _target, _record, _refreshed), "session");
            Become(Authorizing);
        });
        HandleCommon();
    }

    private void Authorizing()
    {
        Receive<SessionStepSucceeded>(_ => FromSubflow(Sender), authorized =>
        {
            SubflowDone();
            BackToMain();
            Complete(new SessionRenewed(RequestId, authorized.Record));
        });
        HandleCommon();
    }
}
