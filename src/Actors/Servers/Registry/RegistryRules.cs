using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Import;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Servers.Registry;

/// <summary>
/// What a registry command does: the events to store and the reply to send once they are stored
/// (computed from the state those events lead to), or a refusal with no events.
/// </summary>
/// <param name="Events">To persist, in order; empty for queries, refusals and commands that change nothing.</param>
/// <param name="Reply">The reply after the events are stored; a <see cref="RegistryRequestFailed"/> for a refusal.</param>
public sealed record RegistryDecision(IReadOnlyList<IServerRegistryEvent> Events, object Reply)
{
    /// <summary>Whether the command was refused.</summary>
    public bool Refused => Reply is RegistryRequestFailed;
}

/// <summary>
/// The registry's rules (behaviour reference §1.5, §1.6, §6, §10; the official client rules win):
/// one Secure Internet server at a time, normalised https base URLs, removing the current server
/// clears it, Secure Internet profiles remembered per location. Pure: no actor, no clock of its own.
/// </summary>
public static class RegistryRules
{
    /// <summary>Decides <paramref name="command"/> against <paramref name="state"/> at <paramref name="now"/>.</summary>
    public static RegistryDecision Decide(IRegistryRequest command, ServerRegistryState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(state);
        var ms = now.ToUnixTimeMilliseconds();
        return command switch
        {
            AddServerRecord add => Add(add, state, ms),
            RemoveServerRecord remove => Remove(remove, state, ms),
            SelectCurrentServer select => Select(select, state, ms),
            RecordProfileChoice profile => Change(profile, profile.Id, state, s =>
                string.IsNullOrWhiteSpace(profile.ProfileId)
                    ? Refuse(profile, RegistryErrorKind.InvalidRequest, "The profile ID is empty.")
                    : new ProfileChosen(s.Id.Type, s.Id.Identifier, profile.ProfileId, ms)),
            RecordLocationChoice location => Change(location, location.Id, state, s => ChooseLocation(location, s, ms)),
            RecordAuthorization authorization => Change(authorization, authorization.Id, state, s =>
                new ServerAuthorized(s.Id.Type, s.Id.Identifier, authorization.At.ToUnixTimeMilliseconds())),
            RecordConfigObtained config => Change(config, config.Id, state, s =>
                config.ExpiresAt < config.StartedAt
                    ? Refuse(config, RegistryErrorKind.InvalidRequest, "The configuration expires before it starts.")
                    : new ServerConfigObtained(s.Id.Type, s.Id.Identifier, config.StartedAt.ToUnixTimeMilliseconds(), config.ExpiresAt.ToUnixTimeMilliseconds())),
            RecordConfigReleased released => Change(released, released.Id, state, s =>
                new ServerConfigReleased(s.Id.Type, s.Id.Identifier, ms)),
            GetServerRecords query => new RegistryDecision([], new ServerRecords(query.RequestId, state.Ordered, state.Current)),
            ImportEduVpnCommonState import => Import(import, state, now),
            _ => new RegistryDecision([], Refuse(command, RegistryErrorKind.InvalidRequest, $"Unknown registry request {command.GetType().Name}.")),
        };
    }

    /// <summary>
    /// The id a server is stored under: institute access and custom identifiers normalised as
    /// eduvpn-common does (https, clean path, trailing slash); Secure Internet org IDs as given.
    /// An identifier that is not a URL stays as it is (and so names no stored server).
    /// </summary>
    public static ServerId Canonical(ServerId id)
    {
        if (id.Type is not (ServerType.InstituteAccess or ServerType.Custom) || id.Identifier is null)
        {
            return id;
        }
        try
        {
            return id with { Identifier = UrlRules.EnsureValidUrl(id.Identifier) };
        }
        catch (ApiException)
        {
            return id;
        }
    }

    private static RegistryDecision Add(AddServerRecord add, ServerRegistryState state, long ms)
    {
        if (add.Id.Type is not (ServerType.InstituteAccess or ServerType.SecureInternet or ServerType.Custom))
        {
            return new([], Refuse(add, RegistryErrorKind.InvalidRequest, $"Servers of type {add.Id.Type} cannot be added."));
        }
        if (string.IsNullOrWhiteSpace(add.Id.Identifier))
        {
            return new([], Refuse(add, RegistryErrorKind.InvalidRequest, "The server identifier is empty."));
        }
        if (!TryNormalise(add.BaseUrl, out var baseUrl))
        {
            return new([], Refuse(add, RegistryErrorKind.InvalidRequest, $"The base URL '{add.BaseUrl}' is not a valid URL."));
        }
        var id = add.Id;
        var organizationId = add.OrganizationId;
        if (id.Type == ServerType.SecureInternet)
        {
            if (organizationId is not null && organizationId != id.Identifier)
            {
                return new([], Refuse(add, RegistryErrorKind.InvalidRequest, "A Secure Internet server is identified by its organization ID."));
            }
            organizationId = id.Identifier;
        }
        else
        {
            // The identifier of an institute or custom server is its normalised base URL.
            id = Canonical(id);
            if (id.Identifier != baseUrl)
            {
                return new([], Refuse(add, RegistryErrorKind.InvalidRequest, $"The identifier '{add.Id.Identifier}' is not the base URL '{baseUrl}'."));
            }
        }
        if (state.Find(id) is { } known)
        {
            // Unlike eduvpn-common, adding again keeps the remembered choices.
            return new([], new ServerRecordAdded(add.RequestId, known, AlreadyKnown: true));
        }
        if (id.Type == ServerType.SecureInternet && state.SecureInternet is { } other)
        {
            return new([], Refuse(add, RegistryErrorKind.SecureInternetAlreadyAdded,
                $"A Secure Internet server ({other.Id.Identifier}) is already added; remove it first."));
        }
        var added = new ServerAdded(id.Type, id.Identifier, baseUrl, add.DisplayName.Values, organizationId, ms);
        return new([added], new ServerRecordAdded(add.RequestId, state.Apply(added).Find(id)!, AlreadyKnown: false));
    }

    private static RegistryDecision Remove(RemoveServerRecord remove, ServerRegistryState state, long ms)
    {
        var id = Canonical(remove.Id);
        if (state.Find(id) is null)
        {
            return new([], new ServerRecordRemoved(remove.RequestId, id, Existed: false));
        }
        return new([new ServerRemoved(id.Type, id.Identifier, ms)], new ServerRecordRemoved(remove.RequestId, id, Existed: true));
    }

    private static RegistryDecision Select(SelectCurrentServer select, ServerRegistryState state, long ms)
    {
        if (select.Id is not { } requested)
        {
            return state.Current is null
                ? new([], new RegistryUpdated(select.RequestId, null, null))
                : new([new CurrentServerSelected(null, null, ms)], new RegistryUpdated(select.RequestId, null, null));
        }
        var id = Canonical(requested);
        if (state.Find(id) is not { } server)
        {
            return new([], Unknown(select, requested));
        }
        return state.Current == id
            ? new([], new RegistryUpdated(select.RequestId, server, id))
            : new([new CurrentServerSelected(id.Type, id.Identifier, ms)], new RegistryUpdated(select.RequestId, server, id));
    }

    private static object ChooseLocation(RecordLocationChoice location, ServerRecord server, long ms)
    {
        if (server.Id.Type != ServerType.SecureInternet)
        {
            return Refuse(location, RegistryErrorKind.InvalidRequest, "Only a Secure Internet server has locations.");
        }
        if (string.IsNullOrWhiteSpace(location.CountryCode) || location.CountryCode.Any(char.IsWhiteSpace))
        {
            return Refuse(location, RegistryErrorKind.InvalidRequest, "The country code is empty or not a single word.");
        }
        if (!TryNormalise(location.LocationBaseUrl, out var baseUrl))
        {
            return Refuse(location, RegistryErrorKind.InvalidRequest, $"The location URL '{location.LocationBaseUrl}' is not a valid URL.");
        }
        return new LocationChosen(server.Id.Type, server.Id.Identifier, location.CountryCode, baseUrl, ms);
    }

    /// <summary>
    /// A change to one known server: <paramref name="makeEvent"/> returns the event or a refusal.
    /// An event that would change nothing is not stored (replaying a command adds no journal entries).
    /// </summary>
    private static RegistryDecision Change(IRegistryRequest command, ServerId requested, ServerRegistryState state, Func<ServerRecord, object> makeEvent)
    {
        var id = Canonical(requested);
        if (state.Find(id) is not { } server)
        {
            return new([], Unknown(command, requested));
        }
        switch (makeEvent(server))
        {
            case RegistryRequestFailed refusal:
                return new([], refusal);
            case IServerRegistryEvent e:
                var after = state.Apply(e);
                var changed = after.Find(id)!;
                var reply = new RegistryUpdated(command.RequestId, changed, after.Current);
                return changed.Equals(server) ? new([], reply) : new([e], reply);
            default:
                throw new InvalidOperationException("A registry change must be an event or a refusal.");
        }
    }

    private static RegistryDecision Import(ImportEduVpnCommonState import, ServerRegistryState state, DateTimeOffset now)
    {
        ImportedState imported;
        try
        {
            imported = EduVpnCommonStateReader.Read(import.StateJson ?? []);
        }
        catch (StateImportException e)
        {
            return new([], Refuse(import, RegistryErrorKind.ImportFailed, $"The eduvpn-common state cannot be imported ({e.Kind}): {e.Message}"));
        }
        var translation = StateImportTranslator.Translate(imported, state, now);
        var events = import.Apply ? translation.Events : [];
        var reply = new StateImported(import.RequestId, import.Apply, imported.FormatVersion, translation.Plan,
            translation.ServersAdded, translation.ServersAlreadyKnown);
        return new(events, reply);
    }

    private static bool TryNormalise(string? url, out string normalised)
    {
        try
        {
            normalised = UrlRules.EnsureValidUrl(url ?? "");
            return true;
        }
        catch (ApiException)
        {
            normalised = "";
            return false;
        }
    }

    private static RegistryRequestFailed Unknown(IRegistryRequest command, ServerId id) =>
        Refuse(command, RegistryErrorKind.UnknownServer, $"No server {id} was added.");

    private static RegistryRequestFailed Refuse(IRegistryRequest command, RegistryErrorKind kind, string message) =>
        new(command.RequestId, kind, message);
}
