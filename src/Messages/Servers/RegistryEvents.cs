namespace EduVpnActors.Messages.Servers;

/// <summary>
/// Marker of the server registry's journal events. Servers are named by type and identifier (the
/// parts of <see cref="ServerId"/>) so the stored JSON stays plain; all times are Unix milliseconds.
/// </summary>
public interface IServerRegistryEvent : IPersistedMessage;

/// <summary>Everything stored about one server: the payload of imports and snapshots.</summary>
/// <param name="Type">The server type.</param>
/// <param name="Identifier">Normalised base URL, or the organization ID for Secure Internet.</param>
/// <param name="BaseUrl">The server's base URL (the home server for Secure Internet; empty when not known yet).</param>
/// <param name="DisplayName">Language tag → name.</param>
/// <param name="OrganizationId">The organization (Secure Internet), if any.</param>
/// <param name="LocationCountryCode">Secure Internet: the chosen location.</param>
/// <param name="LocationBaseUrl">Secure Internet: the chosen location's base URL, when known.</param>
/// <param name="ProfileId">The chosen profile (for Secure Internet: the current location's).</param>
/// <param name="ProfilesByLocation">Secure Internet: country code → remembered profile.</param>
/// <param name="AddedAtMs">When the server was added.</param>
/// <param name="LastAuthorizedAtMs">When the user last authorized.</param>
/// <param name="ConfigStartedAtMs">When the current configuration was obtained.</param>
/// <param name="ConfigExpiresAtMs">When the current configuration expires.</param>
public sealed record RegistryServerEntry(
    ServerType Type,
    string Identifier,
    string BaseUrl,
    IReadOnlyDictionary<string, string> DisplayName,
    string? OrganizationId,
    string? LocationCountryCode,
    string? LocationBaseUrl,
    string? ProfileId,
    IReadOnlyDictionary<string, string> ProfilesByLocation,
    long AddedAtMs,
    long? LastAuthorizedAtMs,
    long? ConfigStartedAtMs,
    long? ConfigExpiresAtMs);

/// <summary>A server was added (nothing chosen for it yet).</summary>
[PersistedAs("server-added.v1")]
public sealed record ServerAdded(
    ServerType Type,
    string Identifier,
    string BaseUrl,
    IReadOnlyDictionary<string, string> DisplayName,
    string? OrganizationId,
    long AddedAtMs) : IServerRegistryEvent;

/// <summary>A server and all its choices were removed; it stops being the current server.</summary>
[PersistedAs("server-removed.v1")]
public sealed record ServerRemoved(ServerType Type, string Identifier, long RemovedAtMs) : IServerRegistryEvent;

/// <summary>The current server changed; both parts null means no server is current.</summary>
[PersistedAs("server-current-selected.v1")]
public sealed record CurrentServerSelected(ServerType? Type, string? Identifier, long SelectedAtMs) : IServerRegistryEvent;

/// <summary>A profile was chosen (for Secure Internet it is remembered for the current location too).</summary>
[PersistedAs("server-profile-chosen.v1")]
public sealed record ProfileChosen(ServerType Type, string Identifier, string ProfileId, long ChosenAtMs) : IServerRegistryEvent;

/// <summary>A Secure Internet location was chosen; the profile becomes the one remembered for it (or none).</summary>
[PersistedAs("server-location-chosen.v1")]
public sealed record LocationChosen(ServerType Type, string Identifier, string CountryCode, string LocationBaseUrl, long ChosenAtMs) : IServerRegistryEvent;

/// <summary>The user authorized the engine at the server.</summary>
[PersistedAs("server-authorized.v1")]
public sealed record ServerAuthorized(ServerType Type, string Identifier, long AuthorizedAtMs) : IServerRegistryEvent;

/// <summary>A VPN configuration was obtained and expires at <see cref="ExpiresAtMs"/>.</summary>
[PersistedAs("server-config-obtained.v1")]
public sealed record ServerConfigObtained(ServerType Type, string Identifier, long StartedAtMs, long ExpiresAtMs) : IServerRegistryEvent;

/// <summary>The configuration was given back (disconnect, renew); its times are forgotten.</summary>
[PersistedAs("server-config-released.v1")]
public sealed record ServerConfigReleased(ServerType Type, string Identifier, long ReleasedAtMs) : IServerRegistryEvent;

/// <summary>A server was imported from an eduvpn-common state file, with its choices and times.</summary>
[PersistedAs("server-imported.v1")]
public sealed record ServerImported(RegistryServerEntry Server, long ImportedAtMs) : IServerRegistryEvent;

/// <summary>The whole registry, written every few events so the journal stays short.</summary>
[PersistedAs("server-registry-snapshot.v1")]
public sealed record ServerRegistrySnapshot(
    IReadOnlyList<RegistryServerEntry> Servers,
    ServerType? CurrentType,
    string? CurrentIdentifier) : IPersistedMessage;
