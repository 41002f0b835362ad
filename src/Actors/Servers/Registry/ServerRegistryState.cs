using System.Collections.Immutable;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Servers.Registry;

/// <summary>
/// The added servers and the current one, rebuilt only from journal events: <see cref="Apply"/>
/// is pure and total (an event for an unknown server changes nothing), so recovery never fails on
/// an event the rules would refuse today.
/// </summary>
public sealed class ServerRegistryState
{
    /// <summary>No servers, none current.</summary>
    public static readonly ServerRegistryState Empty = new(ImmutableDictionary<ServerId, ServerRecord>.Empty, null);

    private ServerRegistryState(ImmutableDictionary<ServerId, ServerRecord> servers, ServerId? current)
    {
        Servers = servers;
        Current = current;
    }

    /// <summary>Every stored server by id.</summary>
    public ImmutableDictionary<ServerId, ServerRecord> Servers { get; }

    /// <summary>The current server, if any (always one of <see cref="Servers"/>).</summary>
    public ServerId? Current { get; }

    /// <summary>The servers ordered by type, then identifier (ordinal).</summary>
    public IReadOnlyList<ServerRecord> Ordered =>
        Servers.Values.OrderBy(s => s.Id.Type).ThenBy(s => s.Id.Identifier, StringComparer.Ordinal).ToArray();

    /// <summary>The stored Secure Internet server, if any (there is at most one).</summary>
    public ServerRecord? SecureInternet => Servers.Values.FirstOrDefault(s => s.Id.Type == ServerType.SecureInternet);

    /// <summary>The server with <paramref name="id"/>, or null.</summary>
    public ServerRecord? Find(ServerId id) => Servers.GetValueOrDefault(id);

    /// <summary>The state after <paramref name="e"/>.</summary>
    public ServerRegistryState Apply(IServerRegistryEvent e) => e switch
    {
        ServerAdded added => WithServer(new ServerRecord(
            new ServerId(added.Type, added.Identifier), added.BaseUrl, Text(added.DisplayName), added.OrganizationId,
            null, null, null, NoProfiles, Time(added.AddedAtMs), null, null, null)),
        ServerImported imported => WithServer(FromEntry(imported.Server)),
        ServerRemoved removed => Remove(new ServerId(removed.Type, removed.Identifier)),
        CurrentServerSelected selected => selected is { Type: { } type, Identifier: { } identifier }
            ? Servers.ContainsKey(new ServerId(type, identifier)) ? new(Servers, new ServerId(type, identifier)) : this
            : new(Servers, null),
        ProfileChosen chosen => Update(chosen.Type, chosen.Identifier, s => s with
        {
            ProfileId = chosen.ProfileId,
            ProfilesByLocation = s.Id.Type == ServerType.SecureInternet && s.LocationCountryCode is { } country
                ? Profiles(s).SetItem(country, chosen.ProfileId)
                : s.ProfilesByLocation,
        }),
        LocationChosen location => Update(location.Type, location.Identifier, s => s with
        {
            LocationCountryCode = location.CountryCode,
            LocationBaseUrl = location.LocationBaseUrl,
            // A profile ID of another location's server means nothing here: none until chosen.
            ProfileId = s.ProfilesByLocation.TryGetValue(location.CountryCode, out var remembered) ? remembered : null,
        }),
        ServerAuthorized authorized => Update(authorized.Type, authorized.Identifier, s => s with { LastAuthorizedAt = Time(authorized.AuthorizedAtMs) }),
        ServerConfigObtained config => Update(config.Type, config.Identifier, s => s with
        {
            ConfigStartedAt = Time(config.StartedAtMs),
            ConfigExpiresAt = Time(config.ExpiresAtMs),
        }),
        ServerConfigReleased released => Update(released.Type, released.Identifier, s => s with { ConfigStartedAt = null, ConfigExpiresAt = null }),
        _ => this,
    };

    /// <summary>The state after all of <paramref name="events"/>, in order.</summary>
    public ServerRegistryState ApplyAll(IEnumerable<IServerRegistryEvent> events) => events.Aggregate(this, (state, e) => state.Apply(e));

    /// <summary>The state a snapshot holds.</summary>
    public static ServerRegistryState FromSnapshot(ServerRegistrySnapshot snapshot)
    {
        var servers = snapshot.Servers.Select(FromEntry).ToImmutableDictionary(s => s.Id);
        ServerId? current = snapshot is { CurrentType: { } type, CurrentIdentifier: { } identifier } ? new ServerId(type, identifier) : null;
        return new ServerRegistryState(servers, current is { } c && servers.ContainsKey(c) ? c : null);
    }

    /// <summary>This state as a snapshot.</summary>
    public ServerRegistrySnapshot ToSnapshot() =>
        new(Ordered.Select(ToEntry).ToArray(), Current?.Type, Current?.Identifier);

    /// <summary>A record as the journal stores it (times in Unix milliseconds).</summary>
    public static RegistryServerEntry ToEntry(ServerRecord s) => new(
        s.Id.Type, s.Id.Identifier, s.BaseUrl, s.DisplayName.Values, s.OrganizationId, s.LocationCountryCode, s.LocationBaseUrl,
        s.ProfileId, s.ProfilesByLocation.ToImmutableSortedDictionary(StringComparer.Ordinal), s.AddedAt.ToUnixTimeMilliseconds(),
        s.LastAuthorizedAt?.ToUnixTimeMilliseconds(), s.ConfigStartedAt?.ToUnixTimeMilliseconds(), s.ConfigExpiresAt?.ToUnixTimeMilliseconds());

    /// <summary>A record from its stored form.</summary>
    public static ServerRecord FromEntry(RegistryServerEntry e) => new(
        new ServerId(e.Type, e.Identifier), e.BaseUrl, Text(e.DisplayName), e.OrganizationId, e.LocationCountryCode, e.LocationBaseUrl,
        e.ProfileId, e.ProfilesByLocation.ToImmutableSortedDictionary(StringComparer.Ordinal), Time(e.AddedAtMs),
        Time(e.LastAuthorizedAtMs), Time(e.ConfigStartedAtMs), Time(e.ConfigExpiresAtMs));

    /// <summary>Unix milliseconds as a UTC time.</summary>
    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? Time(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;

    private static readonly ImmutableSortedDictionary<string, string> NoProfiles =
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    private static ImmutableSortedDictionary<string, string> Profiles(ServerRecord s) =>
        s.ProfilesByLocation as ImmutableSortedDictionary<string, string> ?? s.ProfilesByLocation.ToImmutableSortedDictionary(StringComparer.Ordinal);

    private static LocalizedText Text(IReadOnlyDictionary<string, string> values) =>
        new(values.ToImmutableSortedDictionary(StringComparer.Ordinal));

    private ServerRegistryState WithServer(ServerRecord server) => new(Servers.SetItem(server.Id, server), Current);

    private ServerRegistryState Remove(ServerId id) =>
        Servers.ContainsKey(id) ? new(Servers.Remove(id), Current == id ? null : Current) : this;

    private ServerRegistryState Update(ServerType type, string identifier, Func<ServerRecord, ServerRecord> change)
    {
        var id = new ServerId(type, identifier);
        return Servers.TryGetValue(id, out var server) ? new(Servers.SetItem(id, change(server)), Current) : this;
    }
}
