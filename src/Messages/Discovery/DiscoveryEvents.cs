namespace EduVpnActors.Messages.Discovery;

/// <summary>Which discovery document.</summary>
public enum DiscoveryListKind
{
    /// <summary><c>server_list.json</c>.</summary>
    Servers,
    /// <summary><c>organization_list.json</c>.</summary>
    Organizations,
}

/// <summary>
/// A signed discovery document was downloaded, verified and accepted. The exact signed bytes and
/// their signature are kept, so the cache can be verified again whenever it is loaded.
/// </summary>
[PersistedAs("discovery-list-accepted.v1")]
public sealed record DiscoveryListAccepted(
    DiscoveryListKind Kind,
    long Version,
    byte[] Document,
    string Signature,
    string? LastModified,
    long FetchedAtMs) : IPersistedMessage
{
    /// <inheritdoc />
    public override string ToString() => $"DiscoveryListAccepted {{ Kind = {Kind}, Version = {Version}, Bytes = {Document.Length} }}";
}

/// <summary>
/// The server confirmed the held copy is current (HTTP 304, or the same <c>v</c> again): only the
/// check time (and validator) move on.
/// </summary>
[PersistedAs("discovery-list-confirmed.v1")]
public sealed record DiscoveryListConfirmed(
    DiscoveryListKind Kind,
    string? LastModified,
    long CheckedAtMs) : IPersistedMessage;

/// <summary>The whole discovery cache, written every few events so the journal stays short.</summary>
[PersistedAs("discovery-snapshot.v1")]
public sealed record DiscoverySnapshot(
    DiscoveryListAccepted? Servers,
    long ServersCheckedAtMs,
    DiscoveryListAccepted? Organizations,
    long OrganizationsCheckedAtMs) : IPersistedMessage;

/// <summary>
/// The stored copy of a list no longer verified or parsed when it was loaded (a damaged or tampered
/// database); it is set aside so the next refresh (or the bundled copy) takes over.
/// </summary>
[PersistedAs("discovery-list-discarded.v1")]
public sealed record DiscoveryListDiscarded(DiscoveryListKind Kind, string Reason, long DiscardedAtMs) : IPersistedMessage;
