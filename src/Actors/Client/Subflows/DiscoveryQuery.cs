using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client.Subflows;

/// <summary>
/// What an operation wants from the discovery lists: which lists (by server type) and what to find in
/// them. Pure: <see cref="Resolve"/> runs the rules of <see cref="ServerResolution"/> on the lists.
/// </summary>
/// <param name="Type">Whose lists: Custom needs none, Secure Internet the organizations too, else the servers.</param>
public abstract record DiscoveryQuery(ServerType Type)
{
    /// <summary>What the query finds on <paramref name="servers"/> and <paramref name="organizations"/> (null: nothing to return).</summary>
    /// <exception cref="ClientFlowException">NotInDiscovery, InvalidUrl or UnknownLocation.</exception>
    public abstract object? Resolve(ServerList servers, OrganizationList organizations);

    /// <summary>
    /// Runs the query on discovery's answers (null: that list was not needed) as a lookup outcome: found, or the
    /// typed error. A Secure Internet miss may mean a stale organization list (§3.5): the caller refreshes it once
    /// per operation and asks again; so may a list discovery could not supply at all.
    /// </summary>
    public DiscoveryLookupOutcome Attempt(ServerListResponse? servers, OrganizationListResponse? organizations, bool organizationsRefreshed)
    {
        try
        {
            var serverList = servers is null ? ServerList.Empty : ServerResolution.Usable(servers.List, servers.Status);
            var organizationList = organizations is null ? OrganizationList.Empty : ServerResolution.Usable(organizations.List, organizations.Status);
            return new DiscoveryLookupOutcome.Found(serverList, organizationList, Resolve(serverList, organizationList));
        }
        catch (ClientFlowException e) when (e.Kind == ClientErrorKind.NotInDiscovery && Type == ServerType.SecureInternet && !organizationsRefreshed)
        {
            return new DiscoveryLookupOutcome.RefreshOrganizations(e.Message);
        }
        catch (ClientFlowException e)
        {
            return new DiscoveryLookupOutcome.Failed(e.ToError());
        }
    }

    /// <summary>Just the lists.</summary>
    public sealed record Lists(ServerType ListType) : DiscoveryQuery(ListType)
    {
        /// <inheritdoc/>
        public override object? Resolve(ServerList servers, OrganizationList organizations) => null;
    }

    /// <summary>What an added server will be stored as (<see cref="ServerResolution.ResolveAdd"/>).</summary>
    public sealed record Add(ServerType AddType, string Identifier) : DiscoveryQuery(AddType)
    {
        /// <inheritdoc/>
        public override object? Resolve(ServerList servers, OrganizationList organizations) =>
            ServerResolution.ResolveAdd(AddType, Identifier, servers, organizations);
    }

    /// <summary>Where the server authorizes and whose API it calls; null when its location must be asked (<see cref="ServerResolution.Target"/>).</summary>
    public sealed record Target(ServerRecord Record) : DiscoveryQuery(Record.Id.Type)
    {
        /// <inheritdoc/>
        public override object? Resolve(ServerList servers, OrganizationList organizations) =>
            ServerResolution.Target(Record, servers, organizations);
    }

    /// <summary>The target, or the stored home and API when the location is gone (enough to release or renew).</summary>
    public sealed record TargetOrHome(ServerRecord Record) : DiscoveryQuery(Record.Id.Type)
    {
        /// <inheritdoc/>
        public override object? Resolve(ServerList servers, OrganizationList organizations) =>
            ServerResolution.Target(Record, servers, organizations) ?? ServerResolution.HomeOnlyTarget(Record, servers, organizations);
    }

    /// <summary>Where a Secure Internet server authorizes again, on fresh lists (<see cref="ServerResolution.Reauthorization"/>).</summary>
    public sealed record Reauthorization(SessionTarget Current, ServerRecord Record) : DiscoveryQuery(ServerType.SecureInternet)
    {
        /// <inheritdoc/>
        public override object? Resolve(ServerList servers, OrganizationList organizations) =>
            ServerResolution.Reauthorization(Current, Record, servers, organizations);
    }

    /// <summary>The Secure Internet server of a country (<see cref="ServerResolution.Location"/>).</summary>
    public sealed record Location(string CountryCode) : DiscoveryQuery(ServerType.SecureInternet)
    {
        /// <inheritdoc/>
        public override object? Resolve(ServerList servers, OrganizationList organizations) =>
            ServerResolution.Location(servers, CountryCode);
    }
}

/// <summary>The outcome of one attempt of a <see cref="DiscoveryQuery"/>.</summary>
public abstract record DiscoveryLookupOutcome
{
    /// <summary>The query found <paramref name="Result"/> on the usable lists.</summary>
    public sealed record Found(ServerList Servers, OrganizationList Organizations, object? Result) : DiscoveryLookupOutcome;

    /// <summary>A Secure Internet miss on a list that may be stale: ask for a fresh organization list once.</summary>
    public sealed record RefreshOrganizations(string Reason) : DiscoveryLookupOutcome;

    /// <summary>The query failed for good.</summary>
    public sealed record Failed(ClientError Error) : DiscoveryLookupOutcome;
}
