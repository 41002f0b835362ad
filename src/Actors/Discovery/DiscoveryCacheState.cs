using EduVpnActors.Messages.Discovery;

namespace EduVpnActors.Actors.Discovery;

/// <summary>
/// What the discovery journal remembers: for each list the last accepted signed document and when
/// the server last confirmed it. Pure: folding events never touches the network or the clock.
/// </summary>
public sealed record DiscoveryCacheState(
    DiscoveryListAccepted? Servers,
    long ServersCheckedAtMs,
    DiscoveryListAccepted? Organizations,
    long OrganizationsCheckedAtMs)
{
    public static readonly DiscoveryCacheState Empty = new(null, 0, null, 0);

    public DiscoveryListAccepted? Held(DiscoveryListKind kind) =>
        kind == DiscoveryListKind.Servers ? Servers : Organizations;

    public long CheckedAtMs(DiscoveryListKind kind) =>
        kind == DiscoveryListKind.Servers ? ServersCheckedAtMs : OrganizationsCheckedAtMs;

    public DiscoveryCacheState Apply(DiscoveryListAccepted accepted) => accepted.Kind == DiscoveryListKind.Servers
        ? this with { Servers = accepted, ServersCheckedAtMs = accepted.FetchedAtMs }
        : this with { Organizations = accepted, OrganizationsCheckedAtMs = accepted.FetchedAtMs };

    public DiscoveryCacheState Apply(DiscoveryListConfirmed confirmed)
    {
        var held = Held(confirmed.Kind);
        // A newer validator from a 304 replaces the stored one; the signed document itself stays.
        var updated = held is not null && confirmed.LastModified is not null ? held with { LastModified = confirmed.LastModified } : held;
        return confirmed.Kind == DiscoveryListKind.Servers
            ? this with { Servers = updated, ServersCheckedAtMs = confirmed.CheckedAtMs }
            : this with { Organizations = updated, OrganizationsCheckedAtMs = confirmed.CheckedAtMs };
    }

    /// <summary>Forgets a list whose stored copy no longer verifies (the event that says so is persisted).</summary>
    public DiscoveryCacheState Apply(DiscoveryListDiscarded discarded) => discarded.Kind == DiscoveryListKind.Servers
        ? this with { Servers = null, ServersCheckedAtMs = 0 }
        : this with { Organizations = null, OrganizationsCheckedAtMs = 0 };

    public DiscoveryCacheState Apply(object evt) => evt switch
    {
        DiscoveryListAccepted a => Apply(a),
        DiscoveryListConfirmed c => Apply(c),
        DiscoveryListDiscarded d => Apply(d),
        _ => throw new ArgumentException($"Not a discovery event: {evt.GetType().Name}", nameof(evt)),
    };

    public DiscoverySnapshot ToSnapshot() => new(Servers, ServersCheckedAtMs, Organizations, OrganizationsCheckedAtMs);

    public static DiscoveryCacheState FromSnapshot(DiscoverySnapshot snapshot) =>
        new(snapshot.Servers, snapshot.ServersCheckedAtMs, snapshot.Organizations, snapshot.OrganizationsCheckedAtMs);
}
