using Akka.Actor;
using EduVpnActors.Actors.Client.Subflows;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client.Operations;

/// <summary>
/// <c>SetProfile</c> and <c>SetLocation</c>: a new choice is refused while the tunnel is up, and a live
/// configuration is released first (client rules 33–35, <see cref="ChoiceChange"/>); then the choice is stored.
/// </summary>
internal sealed class ChangeChoiceOperation : RecordOperationActor
{
    private readonly IServerRequest _request;
    private ServerRecord _record = null!;
    private DiscoveryServer? _location;
    private DiscoveryResolved? _lists;

    /// <summary>Creates the operation; use <see cref="Props"/>.</summary>
    public ChangeChoiceOperation(OperationContext operation, IServerRequest request) : base(operation, request.RequestId) => _request = request;

    /// <summary>The operation answering a <see cref="SetProfile"/> or <see cref="SetLocation"/>.</summary>
    public static Props Props(OperationContext operation, IServerRequest request) =>
        request is SetProfile or SetLocation
            ? Akka.Actor.Props.Create(() => new ChangeChoiceOperation(operation, request))
            : throw new ArgumentException($"not a choice: {request.GetType().Name}", nameof(request));

    private string What => _request is SetProfile ? "profile" : "location";

    /// <inheritdoc/>
    protected override void OnRecord(ServerRecord record)
    {
        _record = record;
        if (_request is SetLocation location)
        {
            LookUp(new DiscoveryQuery.Location(location.CountryCode));
            Become(FindingLocation);
            return;
        }
        AskState();
    }

    private void FindingLocation()
    {
        Receive<DiscoveryResolved>(_ => FromSubflow(Sender), resolved =>
        {
            SubflowDone();
            _lists = resolved;
            _location = (DiscoveryServer)resolved.Result!;
            AskState();
        });
        HandleCommon();
    }

    // The connection owns the state: whether the tunnel is up is its answer, not a copy here.
    private void AskState()
    {
        var id = NextId("state");
        Send(Operation.Connection, new GetConnectionState(id), "connection", id);
        Become(Deciding);
    }

    private void Deciding()
    {
        Receive<CurrentConnectionState>(state => Awaits(state.RequestId), state => Step(() =>
        {
            var changes = _location is null ? _record.ProfileId != ((SetProfile)_request).ProfileId : _record.LocationCountryCode != _location.CountryCode;
            switch (ChoiceChange.Decide(state.State, changes, _record.ConfigExpiresAt is not null))
            {
                case ChoiceChangeStep.Refuse:
                    Fail(new ClientError(ClientErrorKind.InvalidState, $"bring the tunnel down before changing the {What} (now {state.State})"));
                    return;
                case ChoiceChangeStep.ReleaseThenStore:
                    LookUp(new DiscoveryQuery.TargetOrHome(_record), _lists?.OrganizationsRefreshed ?? false);
                    Become(ResolvingTarget);
                    return;
                default:
                    Store();
                    return;
            }
        }));
        HandleCommon();
    }

    private void ResolvingTarget()
    {
        Receive<DiscoveryResolved>(_ => FromSubflow(Sender), resolved =>
        {
            SubflowDone();
            RunSubflow(ConfigReleaseActor.Props(Operation, (SessionTarget)resolved.Result!, _record, ReleaseMode.IfLive), "release");
            Become(Releasing);
        });
        HandleCommon();
    }

    private void Releasing()
    {
        Receive<ConfigReleaseDone>(_ => FromSubflow(Sender), _ =>
        {
            SubflowDone();
            // The released configuration is for the old choice: a GotConfig must not offer it again.
            Operation.Connection.Tell(LiveConfigurationReleased.Instance);
            BackToMain();
            Store();
        });
        HandleCommon();
    }

    private void Store()
    {
        IRegistryRequest store = _location is null
            ? new RecordProfileChoice(NextId("registry"), Operation.Server, ((SetProfile)_request).ProfileId)
            : new RecordLocationChoice(NextId("registry"), Operation.Server, _location.CountryCode, _location.BaseUrl);
        AskRegistry(store);
        Become(Storing);
    }

    private void Storing()
    {
        Receive<RegistryUpdated>(updated => Awaits(updated.RequestId), updated => Complete(new ServerUpdated(RequestId, updated.Server!)));
        HandleCommon();
    }
}
