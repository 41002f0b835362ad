using Akka.Actor;
using EduVpnActors.Actors.Client.Subflows;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Client.Operations;

/// <summary>
/// <c>RemoveServer</c> (behaviour reference §1.6, client rules 33–34): <c>/disconnect</c> of a live
/// configuration while the tokens still exist (best effort), the tokens dropped (eduvpn-common keeps them;
/// a removed server should leave nothing behind), and the server taken out of the registry.
/// </summary>
internal sealed class RemoveServerOperation : RecordOperationActor
{
    private SessionTarget _target = null!;

    /// <summary>Creates the operation; use <see cref="Props"/>.</summary>
    public RemoveServerOperation(OperationContext operation, RemoveServer request) : base(operation, request.RequestId)
    {
    }

    /// <summary>The operation answering <paramref name="request"/>.</summary>
    public static Props Props(OperationContext operation, RemoveServer request) =>
        Akka.Actor.Props.Create(() => new RemoveServerOperation(operation, request));

    /// <inheritdoc/>
    protected override void OnRecord(ServerRecord record)
    {
        _target = new SessionTarget(record.BaseUrl, record.OrganizationId, null, record.ApiBaseUrl);
        RunSubflow(ConfigReleaseActor.Props(Operation, _target, record, ReleaseMode.IfLiveBestEffort), "release");
        Become(Releasing);
    }

    private void Releasing()
    {
        Receive<ConfigReleaseDone>(_ => FromSubflow(Sender), _ =>
        {
            SubflowDone();
            AskSession(_target, new ForgetTokens(NextId("forget")));
            Become(ForgettingTokens);
        });
        HandleCommon();
    }

    private void ForgettingTokens()
    {
        Receive<TokensForgotten>(forgotten => Awaits(forgotten.RequestId), _ =>
        {
            AskRegistry(new RemoveServerRecord(NextId("registry"), Operation.Server));
            Become(Removing);
        });
        HandleCommon();
    }

    private void Removing()
    {
        Receive<ServerRecordRemoved>(removed => Awaits(removed.RequestId), _ =>
        {
            BackToMain();
            ServerGone = true;
            Complete(new ServerForgotten(RequestId, Operation.Server));
        });
        HandleCommon();
    }
}
