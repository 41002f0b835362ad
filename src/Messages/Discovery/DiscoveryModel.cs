using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Messages.Discovery;

/// <summary>
/// One entry of <c>server_list.json</c>. Equality compares the list members by content.
/// </summary>
/// <param name="BaseUrl">The server's <c>base_url</c>, as published.</param>
/// <param name="Type">Institute Access or Secure Internet.</param>
/// <param name="DisplayName">Names per language; empty for most Secure Internet servers.</param>
/// <param name="Keywords">Search keywords per language.</param>
/// <param name="CountryCode">The location's country code, <c>""</c> when absent (Institute Access).</param>
/// <param name="AuthenticationUrlTemplate">The WAYF template (Secure Internet only), or null.</param>
/// <param name="SupportContacts">Support URIs (<c>mailto:</c>, <c>tel:</c>, <c>https:</c>).</param>
/// <param name="PublicKeys">The server's published public keys (not used by the engine).</param>
public sealed record DiscoveryServer(
    string BaseUrl,
    ServerType Type,
    LocalizedText DisplayName,
    LocalizedText Keywords,
    string CountryCode,
    string? AuthenticationUrlTemplate,
    IReadOnlyList<string> SupportContacts,
    IReadOnlyList<string> PublicKeys)
{
    /// <inheritdoc />
    public bool Equals(DiscoveryServer? other) =>
        other is not null
        && BaseUrl == other.BaseUrl
        && Type == other.Type
        && DisplayName.Equals(other.DisplayName)
        && Keywords.Equals(other.Keywords)
        && CountryCode == other.CountryCode
        && AuthenticationUrlTemplate == other.AuthenticationUrlTemplate
        && SupportContacts.SequenceEqual(other.SupportContacts)
        && PublicKeys.SequenceEqual(other.PublicKeys);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(BaseUrl, Type, DisplayName, CountryCode);
}

/// <summary>One entry of <c>organization_list.json</c>.</summary>
/// <param name="OrgId">The organization's <c>org_id</c> (its IdP entity ID).</param>
/// <param name="DisplayName">Names per language.</param>
/// <param name="Keywords">Search keywords per language.</param>
/// <param name="SecureInternetHome">The <c>base_url</c> of the organization's home Secure Internet server.</param>
public sealed record DiscoveryOrganization(
    string OrgId,
    LocalizedText DisplayName,
    LocalizedText Keywords,
    string SecureInternetHome);

/// <summary>A parsed <c>server_list.json</c>. Equality compares the servers by content, in order.</summary>
/// <param name="Version">The document's <c>v</c> (a Unix time).</param>
/// <param name="Servers">The servers in discovery order.</param>
public sealed record ServerList(long Version, IReadOnlyList<DiscoveryServer> Servers)
{
    /// <summary>No list held yet (<c>v</c> 0).</summary>
    public static readonly ServerList Empty = new(0, Array.Empty<DiscoveryServer>());

    /// <inheritdoc />
    public bool Equals(ServerList? other) =>
        other is not null && Version == other.Version && Servers.SequenceEqual(other.Servers);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Version, Servers.Count);

    /// <inheritdoc />
    public override string ToString() => $"ServerList {{ Version = {Version}, Servers = {Servers.Count} }}";
}

/// <summary>A parsed <c>organization_list.json</c>. Equality compares the organizations by content, in order.</summary>
/// <param name="Version">The document's <c>v</c> (a Unix time).</param>
/// <param name="Organizations">The organizations in discovery order.</param>
public sealed record OrganizationList(long Version, IReadOnlyList<DiscoveryOrganization> Organizations)
{
    /// <summary>No list held yet (<c>v</c> 0).</summary>
    public static readonly OrganizationList Empty = new(0, Array.Empty<DiscoveryOrganization>());

    /// <inheritdoc />
    public bool Equals(OrganizationList? other) =>
        other is not null && Version == other.Version && Organizations.SequenceEqual(other.Organizations);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Version, Organizations.Count);

    /// <inheritdoc />
    public override string ToString() => $"OrganizationList {{ Version = {Version}, Organizations = {Organizations.Count} }}";
}
