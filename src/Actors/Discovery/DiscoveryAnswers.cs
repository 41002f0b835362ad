using EduVpnActors.Actors.Discovery.Documents;
using EduVpnActors.Actors.Discovery.Search;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Actors.Discovery;

/// <summary>The answer to a discovery query from the list held for it (pure: the actor passes what it holds).</summary>
internal static class DiscoveryAnswers
{
    public static object For(object query, DiscoveryListKind kind, ParsedDiscovery? view, DiscoverySource source, long checkedAtMs, DiscoveryWarning? warning)
    {
        var status = new DiscoveryStatus(kind, view?.Version ?? 0, view is null ? DiscoverySource.None : source,
            checkedAtMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(checkedAtMs) : null, warning);
        var servers = view?.Servers ?? ServerList.Empty;
        var organizations = view?.Organizations ?? OrganizationList.Empty;
        return query switch
        {
            GetServerList => new ServerListResponse(servers, status),
            GetOrganizationList => new OrganizationListResponse(organizations, status),
            SearchServers search => new ServerSearchResponse(
                DiscoverySearch.SearchServers(servers.Servers, search.Query)
                    .Select(hit => new ServerSearchResult(hit.Item, LanguageMatcher.DisplayOr(hit.Item.DisplayName, search.Language, hit.Item.BaseUrl), hit.Score))
                    .ToArray(),
                status),
            SearchOrganizations search => new OrganizationSearchResponse(
                DiscoverySearch.SearchOrganizations(organizations.Organizations, search.Query)
                    .Select(hit => new OrganizationSearchResult(hit.Item, LanguageMatcher.DisplayOr(hit.Item.DisplayName, search.Language, hit.Item.OrgId), hit.Score))
                    .ToArray(),
                status),
            _ => throw new InvalidOperationException($"Not a discovery query: {query.GetType().Name}"),
        };
    }
}
