using EduVpnActors.Messages.Errors;

namespace EduVpnActors.Messages.Discovery;

// ===== Queries (answered by the discovery actor) =====

/// <summary>
/// The whole server list. The list is refreshed first when it is due (once per run, then at most
/// hourly) unless <paramref name="AllowRefresh"/> is false; <paramref name="ForceRefresh"/> always asks the server.
/// </summary>
public sealed record GetServerList(bool AllowRefresh = true, bool ForceRefresh = false);

/// <summary>
/// The whole organization list. It is fetched only when needed: when none is held, once per run
/// when <paramref name="AllowRefresh"/> is set, or always when <paramref name="ForceRefresh"/> is set
/// (re-authorization of a Secure Internet server, an organization that could not be found).
/// With <paramref name="RespectBackOff"/> a forced refresh still waits out the pause after a failed
/// fetch, as automatic ones do (the engine's own triggers: an offline engine must not pay a network
/// time-out on each of them); without it the server is always asked (a user's explicit refresh).
/// </summary>
public sealed record GetOrganizationList(bool AllowRefresh = true, bool ForceRefresh = false, bool RespectBackOff = false);

/// <summary>Servers matching <paramref name="Query"/> (all when empty), ranked, names in <paramref name="Language"/>.</summary>
public sealed record SearchServers(string? Query, string Language = "en", bool AllowRefresh = true);

/// <summary>Organizations matching <paramref name="Query"/> (all when empty), ranked, names in <paramref name="Language"/>.</summary>
public sealed record SearchOrganizations(string? Query, string Language = "en", bool AllowRefresh = true);

// ===== Answers =====

/// <summary>The server list in use and where it came from.</summary>
public sealed record ServerListResponse(ServerList List, DiscoveryStatus Status);

/// <summary>The organization list in use and where it came from.</summary>
public sealed record OrganizationListResponse(OrganizationList List, DiscoveryStatus Status);

/// <summary>One ranked server: lower <paramref name="Score"/> is better.</summary>
public sealed record ServerSearchResult(DiscoveryServer Server, string DisplayName, int Score);

/// <summary>One ranked organization: lower <paramref name="Score"/> is better.</summary>
public sealed record OrganizationSearchResult(DiscoveryOrganization Organization, string DisplayName, int Score);

/// <summary>Ranked servers plus the status of the list they came from.</summary>
public sealed record ServerSearchResponse(IReadOnlyList<ServerSearchResult> Results, DiscoveryStatus Status);

/// <summary>Ranked organizations plus the status of the list they came from.</summary>
public sealed record OrganizationSearchResponse(IReadOnlyList<OrganizationSearchResult> Results, DiscoveryStatus Status);

/// <summary>Where the answered list came from.</summary>
public enum DiscoverySource
{
    /// <summary>No list at all (no network, no cache, no usable bundled copy).</summary>
    None,
    /// <summary>Downloaded and verified during this run of the engine.</summary>
    Network,
    /// <summary>The verified copy held in the engine's database (fresh enough, confirmed by 304, or the network failed).</summary>
    Cache,
    /// <summary>The signed copy shipped inside the library, verified before use (first start without network).</summary>
    Bundled,
}

/// <summary>
/// The state of one list: its <c>v</c>, its origin, when it was last confirmed with the server, and a
/// warning when the last refresh failed. A warning never replaces data: the held copy is still answered.
/// </summary>
public sealed record DiscoveryStatus(
    DiscoveryListKind Kind,
    long Version,
    DiscoverySource Source,
    DateTimeOffset? CheckedAt,
    DiscoveryWarning? Warning);

/// <summary>Why the last refresh of a list did not replace the held copy.</summary>
public enum DiscoveryWarningKind
{
    /// <summary>The download failed (network, status, time-out, size).</summary>
    FetchFailed,
    /// <summary>The signature did not verify (bad, unknown key, wrong file, forged).</summary>
    SignatureRejected,
    /// <summary>The download is older than the held list (signature time or <c>v</c> lower): refused.</summary>
    RollbackRefused,
    /// <summary>The signed document is not valid discovery JSON.</summary>
    MalformedDocument,
    /// <summary>The signed document holds no entries; the held copy stays.</summary>
    EmptyList,
    /// <summary>The copy in the database did not verify or parse any more and was set aside.</summary>
    DamagedCache,
    /// <summary>The local database failed (e.g. a full disk): the list answered was not stored, or no stored list could be read.</summary>
    StorageFailed,
}

/// <summary>A typed, user-presentable warning about a discovery refresh.</summary>
public sealed record DiscoveryWarning(
    DiscoveryWarningKind Kind,
    string Message,
    SignatureErrorKind? Signature = null,
    HttpErrorKind? Http = null);
