using EduVpnActors.Messages.Common;

namespace EduVpnActors.Messages.Servers;

/// <summary>
/// Everything the engine remembers about one added server (never a token). For Secure Internet,
/// <see cref="BaseUrl"/> is the home server, <see cref="LocationCountryCode"/>/<see cref="LocationBaseUrl"/>
/// the chosen location, and profile choices are remembered per location.
/// </summary>
public sealed record ServerRecord(
    ServerId Id,
    string BaseUrl,
    LocalizedText DisplayName,
    string? OrganizationId,
    string? LocationCountryCode,
    string? LocationBaseUrl,
    string? ProfileId,
    IReadOnlyDictionary<string, string> ProfilesByLocation,
    DateTimeOffset AddedAt,
    DateTimeOffset? LastAuthorizedAt,
    DateTimeOffset? ConfigStartedAt,
    DateTimeOffset? ConfigExpiresAt)
{
    /// <summary>The base URL whose API serves VPN configurations (the location for Secure Internet).</summary>
    public string ApiBaseUrl => LocationBaseUrl ?? BaseUrl;

    /// <inheritdoc/>
    public bool Equals(ServerRecord? other) =>
        other is not null
        && Id == other.Id && BaseUrl == other.BaseUrl && DisplayName.Equals(other.DisplayName)
        && OrganizationId == other.OrganizationId && LocationCountryCode == other.LocationCountryCode
        && LocationBaseUrl == other.LocationBaseUrl && ProfileId == other.ProfileId
        && ProfilesByLocation.Count == other.ProfilesByLocation.Count
        && ProfilesByLocation.All(p => other.ProfilesByLocation.TryGetValue(p.Key, out var v) && v == p.Value)
        && AddedAt == other.AddedAt && LastAuthorizedAt == other.LastAuthorizedAt
        && ConfigStartedAt == other.ConfigStartedAt && ConfigExpiresAt == other.ConfigExpiresAt;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, BaseUrl, ProfileId, LocationCountryCode);
}

/// <summary>Why the registry refused a command.</summary>
public enum RegistryErrorKind
{
    /// <summary>No server with that id was added.</summary>
    UnknownServer,
    /// <summary>A Secure Internet server exists already (one at a time; remove it first).</summary>
    SecureInternetAlreadyAdded,
    /// <summary>The command's values break a rule (e.g. a non-https base URL, a location on a non-Secure-Internet server).</summary>
    InvalidRequest,
    /// <summary>An eduvpn-common state file could not be read; nothing was imported.</summary>
    ImportFailed,
    /// <summary>The journal refused to store the change; nothing was applied.</summary>
    StorageFailed,
}

/// <summary>A request to the server registry; every reply carries the same <see cref="RequestId"/>. Replies come after the change is stored.</summary>
public interface IRegistryRequest
{
    /// <summary>Chosen by the sender to match the reply.</summary>
    string RequestId { get; }
}

/// <summary>Adds a server (idempotent for the same id). Replies <see cref="ServerRecordAdded"/>.</summary>
public sealed record AddServerRecord(string RequestId, ServerId Id, string BaseUrl, LocalizedText DisplayName, string? OrganizationId) : IRegistryRequest;

/// <summary>Removes a server and its choices. Replies <see cref="ServerRecordRemoved"/>.</summary>
public sealed record RemoveServerRecord(string RequestId, ServerId Id) : IRegistryRequest;

/// <summary>Makes a server (or none) the current one. Replies <see cref="RegistryUpdated"/>.</summary>
public sealed record SelectCurrentServer(string RequestId, ServerId? Id) : IRegistryRequest;

/// <summary>Remembers the chosen profile (per location for Secure Internet). Replies <see cref="RegistryUpdated"/>.</summary>
public sealed record RecordProfileChoice(string RequestId, ServerId Id, string ProfileId) : IRegistryRequest;

/// <summary>Remembers the chosen Secure Internet location. Replies <see cref="RegistryUpdated"/>.</summary>
public sealed record RecordLocationChoice(string RequestId, ServerId Id, string CountryCode, string LocationBaseUrl) : IRegistryRequest;

/// <summary>Remembers when the user last authorized. Replies <see cref="RegistryUpdated"/>.</summary>
public sealed record RecordAuthorization(string RequestId, ServerId Id, DateTimeOffset At) : IRegistryRequest;

/// <summary>Remembers when a configuration was obtained and when it expires. Replies <see cref="RegistryUpdated"/>.</summary>
public sealed record RecordConfigObtained(string RequestId, ServerId Id, DateTimeOffset StartedAt, DateTimeOffset ExpiresAt) : IRegistryRequest;

/// <summary>Forgets the configuration times (after <c>/disconnect</c> or renew). Replies <see cref="RegistryUpdated"/>.</summary>
public sealed record RecordConfigReleased(string RequestId, ServerId Id) : IRegistryRequest;

/// <summary>Asks for every server and the current one. Replies <see cref="ServerRecords"/>.</summary>
public sealed record GetServerRecords(string RequestId) : IRegistryRequest;

/// <summary>
/// Imports an eduvpn-common <c>state.json</c> (v1 or v2) given as bytes. With <paramref name="Apply"/>
/// false nothing changes (dry run). Importing twice adds nothing new. Replies <see cref="StateImported"/>.
/// </summary>
public sealed record ImportEduVpnCommonState(string RequestId, byte[] StateJson, bool Apply) : IRegistryRequest;

/// <summary>The server is stored (or was already).</summary>
public sealed record ServerRecordAdded(string RequestId, ServerRecord Server, bool AlreadyKnown);

/// <summary>The server is gone (or never was).</summary>
public sealed record ServerRecordRemoved(string RequestId, ServerId Id, bool Existed);

/// <summary>The registry after a change (the changed server, if any, and the current one).</summary>
public sealed record RegistryUpdated(string RequestId, ServerRecord? Server, ServerId? Current);

/// <summary>Every stored server and the current one.</summary>
public sealed record ServerRecords(string RequestId, IReadOnlyList<ServerRecord> Servers, ServerId? Current);

/// <summary>What an import did (or would do, in a dry run): one line per item, and the counts.</summary>
public sealed record StateImported(
    string RequestId,
    bool Applied,
    int FormatVersion,
    IReadOnlyList<string> Plan,
    int ServersAdded,
    int ServersAlreadyKnown);

/// <summary>The command was refused; nothing changed.</summary>
public sealed record RegistryRequestFailed(string RequestId, RegistryErrorKind Kind, string Message);
