using Akka.Actor;
using Akka.Event;
using EduVpnActors.Actors.Client.Operations;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client.Subflows;

/// <summary>
/// Gets the discovery lists a <see cref="DiscoveryQuery"/> needs and runs it. Official rule 14: the
/// organization list is fetched when it is needed; a Secure Internet miss may mean it is stale (§3.5), so
/// it is refreshed once per operation and the query runs again. A forced refresh is the engine's own
/// trigger: it waits out discovery's pause after a failed fetch. Answers <see cref="DiscoveryResolved"/>.
/// </summary>
internal sealed class DiscoveryLookupActor : SubflowActor
{
    private readonly DiscoveryQuery _query;
    private readonly bool _refreshFirst;
    private bool _refreshed;
    private OrganizationListResponse? _organizations;

    /// <summary>Creates the lookup; use <see cref="Props"/>.</summary>
    public DiscoveryLookupActor(OperationContext operation, DiscoveryQuery query, bool organizationsRefreshed, bool refreshFirst) : base(operation)
    {
        _query = query;
        _refreshFirst = refreshFirst;
        _refreshed = organizationsRefreshed || refreshFirst;
    }

    /// <summary>
    /// A lookup of <paramref name="query"/>. <paramref name="organizationsRefreshed"/>: the operation already had its one
    /// fresh organization list. <paramref name="refreshFirst"/>: start with a fresh one (a re-authorization, rule 14).
    /// </summary>
    public static Props Props(OperationContext operation, DiscoveryQuery query, bool organizationsRefreshed, bool refreshFirst = false) =>
        Akka.Actor.Props.Create(() => new DiscoveryLookupActor(operation, query, organizationsRefreshed, refreshFirst));

    /// <inheritdoc/>
    protected override void PreStart() => Fetch(_refreshFirst);

    private void Fetch(bool refreshOrganizations)
    {
        switch (_query.Type)
        {
            case ServerType.Custom:
                Conclude(null);
                return;
            case ServerType.SecureInternet:
                Send(Deps.Discovery, new GetOrganizationList(ForceRefresh: refreshOrganizations, RespectBackOff: true), "discovery", null);
                Become(ReadingOrganizations);
                return;
            default:
                ReadServers();
                return;
        }
    }

    private void ReadServers()
    {
        Send(Deps.Discovery, new GetServerList(), "discovery", null);
        Become(ReadingServers);
    }

    private void ReadingOrganizations()
    {
        Receive<OrganizationListResponse>(organizations =>
        {
            _organizations = organizations;
            ReadServers();
        });
        HandleCommon();
    }

    private void ReadingServers()
    {
        Receive<ServerListResponse>(Conclude);
        HandleCommon();
    }

    private void Conclude(ServerListResponse? servers)
    {
        switch (_query.Attempt(servers, _organizations, _refreshed))
        {
            case DiscoveryLookupOutcome.Found found:
                Finish(new DiscoveryResolved(found.Servers, found.Organizations, found.Result, _refreshed));
                return;
            case DiscoveryLookupOutcome.RefreshOrganizations refresh:
                _refreshed = true;
                Log.Info("{Reason} for {Server}; asking discovery for a fresh organization list", refresh.Reason, Operation.Server);
                Fetch(refreshOrganizations: true);
                return;
            case DiscoveryLookupOutcome.Failed failed:
                Fail(failed.Error);
                return;
        }
    }
}
