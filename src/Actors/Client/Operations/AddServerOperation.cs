using Akka.Actor;
using EduVpnActors.Actors.Client.Subflows;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client.Operations;

/// <summary>
/// <c>AddServer</c> (behaviour reference §1.5): resolved in discovery, stored (a Secure Internet server with
/// its home location), and, when interactive, authorized (AddingServer → OAuthStarted → Main). A failed add
/// of a new server takes it out of the registry again, so it leaves nothing behind.
/// </summary>
internal sealed class AddServerOperation : OperationActor
{
    private readonly AddServer _request;
    private ServerList _servers = ServerList.Empty;
    private OrganizationList _organizations = OrganizationList.Empty;
    private bool _refreshed;
    private ResolvedServer _resolved = null!;
    private bool _undoPending;

    /// <summary>Creates the operation; use <see cref="Props"/>.</summary>
    public AddServerOperation(OperationContext operation, AddServer request) : base(operation, request.RequestId)
    {
        _request = request;
        // Until the registry says it knew the server, a failure means there is no server, so no connection either.
        ServerGone = true;
    }

    /// <summary>The operation answering <paramref name="request"/>.</summary>
    public static Props Props(OperationContext operation, AddServer request) =>
        Akka.Actor.Props.Create(() => new AddServerOperation(operation, request));

    /// <inheritdoc/>
    protected override void PreStart()
    {
        LookUp(new DiscoveryQuery.Add(_request.Type, _request.Identifier));
        Become(Resolving);
    }

    private void Resolving()
    {
        Receive<DiscoveryResolved>(_ => FromSubflow(Sender), resolved =>
        {
            SubflowDone();
            (_servers, _organizations, _refreshed) = (resolved.Servers, resolved.Organizations, resolved.OrganizationsRefreshed);
            _resolved = (ResolvedServer)resolved.Result!;
            if (_request.Interactive)
            {
                Transition(ConnectionState.AddingServer);
            }
            AskRegistry(new AddServerRecord(NextId("registry"), _resolved.Id, _resolved.BaseUrl, _resolved.DisplayName, _resolved.OrganizationId));
            Become(Storing);
        });
        HandleCommon();
    }

    private void Storing()
    {
        Receive<ServerRecordAdded>(added => Awaits(added.RequestId), added => Step(() =>
        {
            ServerGone = !added.AlreadyKnown;
            _undoPending = !added.AlreadyKnown;
            var record = added.Server;
            if (record.Id.Type != ServerType.SecureInternet || record.LocationCountryCode is not null || _resolved.HomeCountryCode is null)
            {
                Stored(record);
                return;
            }
            var home = ServerResolution.Location(_servers, _resolved.HomeCountryCode);
            AskRegistry(new RecordLocationChoice(NextId("registry"), Operation.Server, home.CountryCode, home.BaseUrl));
            Become(StoringHomeLocation);
        }));
        HandleCommon();
    }

    private void StoringHomeLocation()
    {
        Receive<RegistryUpdated>(updated => Awaits(updated.RequestId), updated => Stored(updated.Server!));
        HandleCommon();
    }

    private void Stored(ServerRecord record)
    {
        if (!_request.Interactive)
        {
            Done(record);
            return;
        }
        Step(() =>
        {
            var target = ServerResolution.Target(record, _servers, _organizations)
                ?? throw new ClientFlowException(ClientErrorKind.NotInDiscovery, $"the home location of {Operation.Server} is not in discovery");
            RunSubflow(SessionStepActor.Props(Operation, new SessionCall.Authorize(), target, record, _refreshed), "session");
            Become(Authorizing);
        });
    }

    private void Authorizing()
    {
        Receive<SessionStepSucceeded>(_ => FromSubflow(Sender), authorized =>
        {
            SubflowDone();
            BackToMain();
            Done(authorized.Record);
        });
        HandleCommon();
    }

    private void Done(ServerRecord record)
    {
        _undoPending = false;
        Complete(new ServerReady(_request.RequestId, record));
    }

    /// <inheritdoc/>
    protected override void OnFailing(ClientError error) => Undo();

    /// <inheritdoc/>
    protected override void PostStop() => Undo();

    private void Undo()
    {
        if (_undoPending)
        {
            _undoPending = false;
            Deps.Registry.Tell(new RemoveServerRecord(NextId("undo-add"), Operation.Server));
        }
    }
}
