using EduVpnActors.Actors.Api;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Client;

/// <summary>A server as it will be stored: the identity, where it authorizes, and its initial location.</summary>
public sealed record ResolvedServer(
    ServerId Id,
    string BaseUrl,
    LocalizedText DisplayName,
    string? OrganizationId,
    string? HomeCountryCode);

/// <summary>Where a server's session authorizes and whose API it calls.</summary>
public sealed record SessionTarget(string AuthorizationBaseUrl, string? OrganizationId, string? AuthenticationUrlTemplate, string ApiBaseUrl);

/// <summary>
/// Pure lookups of servers in discovery (behaviour reference §1.5, §1.7, §6): which servers may be
/// added, where a Secure Internet organization authorizes, and which location serves its API.
/// </summary>
public static class ServerResolution
{
    /// <summary>Resolves what <see cref="AddServer"/> names into the record to store.</summary>
    /// <exception cref="ClientFlowException">InvalidUrl or NotInDiscovery.</exception>
    public static ResolvedServer ResolveAdd(ServerType type, string identifier, ServerList servers, OrganizationList organizations)
    {
        switch (type)
        {
            case ServerType.InstituteAccess:
            {
                var url = NormaliseUrl(identifier);
                var listed = servers.Servers.FirstOrDefault(s => s.Type == ServerType.InstituteAccess && s.BaseUrl == url)
                    ?? throw new ClientFlowException(ClientErrorKind.NotInDiscovery, $"'{url}' is not an Institute Access server in discovery");
                return new ResolvedServer(new ServerId(type, url), url, listed.DisplayName, null, null);
            }
            case ServerType.SecureInternet:
            {
                var organization = organizations.Organizations.FirstOrDefault(o => o.OrgId == identifier)
                    ?? throw new ClientFlowException(ClientErrorKind.NotInDiscovery, $"the organization '{identifier}' is not in discovery");
                var home = HomeServer(organization, servers);
                return new ResolvedServer(new ServerId(type, identifier), home.BaseUrl, organization.DisplayName, identifier, home.CountryCode);
            }
            case ServerType.Custom:
            {
                var url = NormaliseUrl(identifier);
                var host = new Uri(url).Host;
                return new ResolvedServer(new ServerId(type, url), url, LocalizedText.English(host), null, null);
            }
            default:
                throw new ClientFlowException(ClientErrorKind.InvalidUrl, $"servers of type {type} cannot be added");
        }
    }

    /// <summary>
    /// Where <paramref name="record"/> authorizes and whose API it calls. For Secure Internet the
    /// location is the stored country code; null when that location is not (or no longer) in discovery,
    /// so the host must be asked.
    /// </summary>
    /// <exception cref="ClientFlowException">NotInDiscovery when the organization or its home server is gone.</exception>
    public static SessionTarget? Target(ServerRecord record, ServerList servers, OrganizationList organizations)
    {
        if (record.Id.Type != ServerType.SecureInternet)
        {
            // A delisted Institute Access server keeps working on its stored URL (eduvpn-common refuses it).
            return new SessionTarget(record.BaseUrl, null, null, record.BaseUrl);
        }
        var organization = OrganizationOf(record, organizations);
        var home = HomeServer(organization, servers);
        var location = servers.Servers.FirstOrDefault(s => s.Type == ServerType.SecureInternet && s.CountryCode == record.LocationCountryCode);
        return location is null
            ? null
            : new SessionTarget(home.BaseUrl, organization.OrgId, home.AuthenticationUrlTemplate, location.BaseUrl);
    }

    /// <summary>
    /// <paramref name="current"/> with where it authorizes taken from fresh lists (a Secure Internet
    /// re-authorization after the organization list was refreshed: its home and WAYF template may have
    /// changed); the API location stays the chosen one.
    /// </summary>
    /// <exception cref="ClientFlowException">NotInDiscovery when the organization or its home server is gone.</exception>
    public static SessionTarget Reauthorization(SessionTarget current, ServerRecord record, ServerList servers, OrganizationList organizations)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(record);
        if (record.Id.Type != ServerType.SecureInternet)
        {
            return current;
        }
        var organization = OrganizationOf(record, organizations);
        var home = HomeServer(organization, servers);
        return current with { AuthorizationBaseUrl = home.BaseUrl, OrganizationId = organization.OrgId, AuthenticationUrlTemplate = home.AuthenticationUrlTemplate };
    }

    /// <summary>The Secure Internet locations in discovery order (the choices of a location question).</summary>
    public static IReadOnlyList<string> Locations(ServerList servers) =>
        servers.Servers.Where(s => s.Type == ServerType.SecureInternet).Select(s => s.CountryCode).Distinct().ToArray();

    /// <summary>The Secure Internet server of <paramref name="countryCode"/>.</summary>
    /// <exception cref="ClientFlowException">UnknownLocation.</exception>
    public static DiscoveryServer Location(ServerList servers, string countryCode) =>
        servers.Servers.FirstOrDefault(s => s.Type == ServerType.SecureInternet && string.Equals(s.CountryCode, countryCode, StringComparison.OrdinalIgnoreCase))
        ?? throw new ClientFlowException(ClientErrorKind.UnknownLocation, $"'{countryCode}' is not a Secure Internet location in discovery");

    /// <summary>True when <paramref name="record"/> is no longer backed by discovery (custom servers never are).</summary>
    public static bool IsDelisted(ServerRecord record, ServerList servers, OrganizationList organizations) => record.Id.Type switch
    {
        ServerType.InstituteAccess => !servers.Servers.Any(s => s.Type == ServerType.InstituteAccess && s.BaseUrl == record.BaseUrl),
        ServerType.SecureInternet => organizations.Organizations.FirstOrDefault(o => o.OrgId == record.OrganizationId) is not { } org
            || !servers.Servers.Any(s => s.Type == ServerType.SecureInternet && s.BaseUrl == org.SecureInternetHome),
        _ => false,
    };

    /// <summary>
    /// Where a server authorizes when its location is not (or no longer) in discovery: its stored home and
    /// API URLs (enough to release a configuration or renew; the WAYF template only when discovery still has it).
    /// </summary>
    public static SessionTarget HomeOnlyTarget(ServerRecord record, ServerList servers, OrganizationList organizations)
    {
        ArgumentNullException.ThrowIfNull(record);
        var organization = organizations.Organizations.FirstOrDefault(o => o.OrgId == record.OrganizationId);
        var home = servers.Servers.FirstOrDefault(s => s.BaseUrl == record.BaseUrl);
        return new SessionTarget(record.BaseUrl, organization?.OrgId ?? record.OrganizationId, home?.AuthenticationUrlTemplate, record.ApiBaseUrl);
    }

    /// <summary><paramref name="list"/> when discovery had one at all (network, cache or bundled).</summary>
    /// <exception cref="ClientFlowException">NotInDiscovery when no list is available.</exception>
    public static T Usable<T>(T list, DiscoveryStatus status) where T : class
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Source == DiscoverySource.None
            ? throw new ClientFlowException(ClientErrorKind.NotInDiscovery, $"no {status.Kind} list is available: {status.Warning?.Message ?? "none was ever fetched"}")
            : list;
    }

    private static DiscoveryOrganization OrganizationOf(ServerRecord record, OrganizationList organizations) =>
        organizations.Organizations.FirstOrDefault(o => o.OrgId == record.OrganizationId)
        ?? throw new ClientFlowException(ClientErrorKind.NotInDiscovery, $"the organization '{record.OrganizationId}' is no longer in discovery");

    private static DiscoveryServer HomeServer(DiscoveryOrganization organization, ServerList servers) =>
        servers.Servers.FirstOrDefault(s => s.Type == ServerType.SecureInternet && s.BaseUrl == organization.SecureInternetHome)
        ?? throw new ClientFlowException(ClientErrorKind.NotInDiscovery,
            $"the home server '{organization.SecureInternetHome}' of '{organization.OrgId}' is not a Secure Internet server in discovery");

    private static string NormaliseUrl(string identifier)
    {
        try
        {
            return UrlRules.EnsureValidUrl(identifier);
        }
        catch (ApiException e)
        {
            throw new ClientFlowException(ClientErrorKind.InvalidUrl, e.Message);
        }
    }
}
