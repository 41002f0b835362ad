using System.Collections.Immutable;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Import;

/// <summary>
/// A server as eduvpn-common keys it: its type and identifier (normalised URL for institute and
/// custom servers, org_id for Secure Internet). Local to the import so it does not compete with
/// the engine's own server identity type.
/// </summary>
public sealed record ImportedServerKey(ServerType Type, string Identifier)
{
    /// <summary>The eduvpn-common v2 key text, <c>&lt;int type&gt;,&lt;id&gt;</c>.</summary>
    public override string ToString() => $"{(int)Type},{Identifier}";
}

/// <summary>A profile remembered for a server: its display name and whether it routes all traffic.</summary>
public sealed record ImportedProfile(LocalizedText DisplayName, bool DefaultGateway);

/// <summary>One server of the imported state, validated.</summary>
/// <param name="Key">The server's type and identifier.</param>
/// <param name="CurrentProfile">The chosen profile ID; null when none was chosen.</param>
/// <param name="Profiles">Profile ID → profile as last seen in <c>/info</c>.</param>
/// <param name="LastAuthorizeTime">Start of the current authorization; null for Go's zero time.</param>
/// <param name="ExpireTime">When the VPN session expires; null for Go's zero time.</param>
/// <param name="CountryCode">Secure Internet: the chosen location; otherwise null.</param>
/// <param name="LocationProfiles">Secure Internet: country code → remembered profile ID.</param>
public sealed record ImportedServer(
    ImportedServerKey Key,
    string? CurrentProfile,
    IReadOnlyDictionary<string, ImportedProfile> Profiles,
    DateTimeOffset? LastAuthorizeTime,
    DateTimeOffset? ExpireTime,
    string? CountryCode,
    IReadOnlyDictionary<string, string> LocationProfiles);

/// <summary>
/// One cached discovery list. <see cref="Json"/> is <c>{"v":…,"server_list":[…]}</c> (or
/// <c>organization_list</c>) with the entries exactly as eduvpn-common stored them, compact.
/// </summary>
/// <param name="Version">The list's <c>v</c>.</param>
/// <param name="Json">The re-serialized list document, UTF-8.</param>
/// <param name="Timestamp"><c>go_timestamp</c>: when eduvpn-common last fetched it; null for zero.</param>
/// <param name="UpdateHeader"><c>go_update_header</c>: the server's Last-Modified; null for zero.</param>
public sealed record ImportedDiscoveryList(
    ulong Version,
    ImmutableArray<byte> Json,
    DateTimeOffset? Timestamp,
    DateTimeOffset? UpdateHeader);

/// <summary>The discovery caches found in the state; a list is null when the file holds none (or an empty one).</summary>
public sealed record ImportedDiscovery(ImportedDiscoveryList? Servers, ImportedDiscoveryList? Organizations);

/// <summary>Everything worth importing from an eduvpn-common <c>state.json</c>.</summary>
/// <param name="FormatVersion">1 or 2: which top-level object was read.</param>
/// <param name="Servers">All servers, ordered by type then identifier (eduvpn-common's order is random).</param>
/// <param name="CurrentServer">The last chosen server; null when none or when it names no stored server.</param>
/// <param name="Discovery">The discovery caches; null when the file holds none.</param>
public sealed record ImportedState(
    int FormatVersion,
    IReadOnlyList<ImportedServer> Servers,
    ImportedServerKey? CurrentServer,
    ImportedDiscovery? Discovery);
