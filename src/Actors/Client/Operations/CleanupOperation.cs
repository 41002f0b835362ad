using Akka.Actor;
using EduVpnActors.Actors.Client.Subflows;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client.Operations;

/// <summary><c>Cleanup</c> (behaviour reference §1.8): <c>/disconnect</c> (after the tunnel is down) and the configuration times forgotten.</summary>
internal sealed class CleanupOperation : RecordOperationActor
{
    private ServerRecord _record = null!;

    /// <summary>Creates the operation; use <see cref="Props"/>.</summary>
    public CleanupOperation(OperationContext operation, Cleanup request) : base(operation, request.RequestId)
    {
    }

    /// <summary>The operation answering <paramref name="request"/>.</summary>
    public static Props Props(OperationContext operation, Cleanup request) =>
        Akka.Actor.Props.Create(() => new CleanupOperation(operation, request));

    /// <inheritdoc/>
    protected override void OnRecord(ServerRecord record)
    {
        _record = record;
        LookUp(new DiscoveryQuery.Target(_record));
        Become(ResolvingTarget);
    }

    private void ResolvingTarget()
    {
        Receive<DiscoveryResolved>(_ => FromSubflow(Sender), resolved =>
        {
            SubflowDone();
            if (resolved.Result is not SessionTarget target)
            {
                // No location to talk to: nothing can be told.
                Complete(new CleanedUp(RequestId, false));
                return;
            }
            RunSubflow(ConfigReleaseActor.Props(Operation, target, _record, ReleaseMode.Always), "release");
            Become(Releasing);
        });
        HandleCommon();
    }

    private void Releasing()
    {
        Receive<ConfigReleaseDone>(_ => FromSubflow(Sender), released =>
        {
            SubflowDone();
            Complete(new CleanedUp(RequestId, released.Reached));
        });
        HandleCommon();
    }
}
