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
    /// <summary>No list held, never checked.</summary>
    public static readonly DiscoveryCacheState Empty = new(null, 0, null, 0);

    /// <summary>The held list of <paramref name="kind"/>, or null.</summary>
    public DiscoveryListAccepted? Held(DiscoveryListKind kind) =>
        kind == DiscoveryListKind.Servers ? Servers : Organizations;

    /// <summary>When the list of <paramref name="kind"/> was last checked with the server (Unix ms; 0: never).</summary>
    public long CheckedAtMs(DiscoveryListKind kind) =>
        kind == DiscoveryListKind.Servers ? ServersCheckedAtMs : OrganizationsCheckedAtMs;

    /// <summary>Holds a newly accepted list.</summary>
    public DiscoveryCacheState Apply(DiscoveryListAccepted accepted) => accepted.Kind == DiscoveryListKind.Servers
        ? this with { Servers = accepted, ServersCheckedAtMs = accepted.FetchedAtMs }
        : this with { Organizations = accepted, OrganizationsCheckedAtMs = accepted.FetchedAtMs };

    /// <summary>Records that the server confirmed the held list (HTTP 304 or the same version).</summary>
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

    /// <summary>Applies any discovery event; other objects are refused.</summary>
    public DiscoveryCacheState Apply(object evt) => evt switch
    {
        DiscoveryListAccepted a => Apply(a),
        DiscoveryListConfirmed c => Apply(c),
        DiscoveryListDiscarded d => Apply(d),
        _ => throw new ArgumentException($"Not a discovery event: {evt.GetType().Name}", nameof(evt)),
    };

    /// <summary>The state as the snapshot that is persisted.</summary>
    public DiscoverySnapshot ToSnapshot() => new(Servers, ServersCheckedAtMs, Organizations, OrganizationsCheckedAtMs);

    /// <summary>The state a persisted snapshot describes.</summary>
    public static DiscoveryCacheState FromSnapshot(DiscoverySnapshot snapshot) =>
        new(snapshot.Servers, snapshot.ServersCheckedAtMs, snapshot.Organizations, snapshot.OrganizationsCheckedAtMs);
}
