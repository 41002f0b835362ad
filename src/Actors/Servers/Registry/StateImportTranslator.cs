using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Import;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Servers.Registry;

/// <summary>What importing a state would store, and a line per decision for the user.</summary>
/// <param name="Events">The events to persist together (all or nothing).</param>
/// <param name="Plan">The reader's description, then one line per server and the current-server decision.</param>
/// <param name="ServersAdded">Servers the import adds.</param>
/// <param name="ServersAlreadyKnown">Servers already in the registry (or twice in the file), left as they are.</param>
public sealed record ImportTranslation(
    IReadOnlyList<IServerRegistryEvent> Events,
    IReadOnlyList<string> Plan,
    int ServersAdded,
    int ServersAlreadyKnown);

/// <summary>
/// Turns an eduvpn-common state into registry events. Servers already known are left untouched
/// (importing twice adds nothing); the current server is taken over only when none is chosen yet.
/// Names, home and location URLs come from the discovery cache inside the same file when it has them.
/// </summary>
public static class StateImportTranslator
{
    /// <summary>Translates <paramref name="imported"/> against the registry <paramref name="state"/>.</summary>
    public static ImportTranslation Translate(ImportedState imported, ServerRegistryState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(imported);
        ArgumentNullException.ThrowIfNull(state);
        var ms = now.ToUnixTimeMilliseconds();
        var discovery = ImportedDiscoveryLookup.From(imported.Discovery);
        var plan = new List<string>(ImportPlan.Describe(imported));
        var events = new List<IServerRegistryEvent>();
        var ids = new Dictionary<ImportedServerKey, ServerId>();
        var after = state;
        int added = 0, known = 0;

        foreach (var server in imported.Servers)
        {
            var label = $"{TypeName(server.Key.Type)} {Printable(server.Key.Identifier)}";
            if (!TryId(server.Key, out var id))
            {
                plan.Add($"skip {label}: not a server the engine can store (unknown type or not a valid URL)");
                continue;
            }
            ids[server.Key] = id;
            if (after.Find(id) is not null)
            {
                known++;
                plan.Add($"keep {label}: already added");
                continue;
            }
            if (id.Type == ServerType.SecureInternet && after.SecureInternet is { } other)
            {
                plan.Add($"skip {label}: the Secure Internet server {Printable(other.Id.Identifier)} is already added (one at a time)");
                continue;
            }
            var entry = ToEntry(server, id, discovery, ms);
            var e = new ServerImported(entry, ms);
            events.Add(e);
            after = after.Apply(e);
            added++;
            plan.Add($"add {label}{Details(entry)}");
        }

        if (imported.CurrentServer is { } currentKey && ids.TryGetValue(currentKey, out var currentId) && after.Find(currentId) is not null)
        {
            if (after.Current is { } chosen)
            {
                plan.Add(chosen == currentId
                    ? $"current server: {Printable(chosen.ToString())} already"
                    : $"current server: keep {Printable(chosen.ToString())} (the file's {Printable(currentId.ToString())} is not taken over)");
            }
            else
            {
                var e = new CurrentServerSelected(currentId.Type, currentId.Identifier, ms);
                events.Add(e);
                after = after.Apply(e);
                plan.Add($"current server: set to {Printable(currentId.ToString())}");
            }
        }
        if (imported.Discovery is not null)
        {
            plan.Add("discovery cache: not imported (the engine fetches and verifies its own signed lists)");
        }
        return new ImportTranslation(events, plan, added, known);
    }

    private static bool TryId(ImportedServerKey key, out ServerId id)
    {
        id = default;
        switch (key.Type)
        {
            case ServerType.SecureInternet:
                id = new ServerId(key.Type, key.Identifier);
                return key.Identifier.Length > 0;
            case ServerType.InstituteAccess or ServerType.Custom:
                try
                {
                    id = new ServerId(key.Type, UrlRules.EnsureValidUrl(key.Identifier));
                    return true;
                }
                catch (ApiException)
                {
                    return false;
                }
            default:
                return false;
        }
    }

    private static RegistryServerEntry ToEntry(ImportedServer server, ServerId id, ImportedDiscoveryLookup discovery, long ms)
    {
        var profile = server.CurrentProfile;
        string baseUrl = id.Identifier;
        string? organizationId = null, country = null, locationBaseUrl = null;
        IReadOnlyDictionary<string, string> displayName;
        var profilesByLocation = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

        if (id.Type == ServerType.SecureInternet)
        {
            organizationId = id.Identifier;
            var organization = discovery.Organization(id.Identifier);
            displayName = organization?.DisplayName ?? English(id.Identifier);
            // Unknown until discovery names the home server; the engine resolves it from the org ID.
            baseUrl = Normalised(organization?.SecureInternetHome) ?? "";
            country = server.CountryCode;
            locationBaseUrl = country is null ? null : Normalised(discovery.SecureInternetLocation(country));
            // eduvpn-common's map lags one choice behind and may hold "": keep real choices only, and
            // the current location's profile is the chosen one.
            profilesByLocation = profilesByLocation.AddRange(server.LocationProfiles.Where(p => p.Key.Length > 0 && p.Value.Length > 0));
            if (country is not null && profile is not null)
            {
                profilesByLocation = profilesByLocation.SetItem(country, profile);
            }
        }
        else if (id.Type == ServerType.InstituteAccess)
        {
            displayName = discovery.InstituteName(id.Identifier) ?? English(id.Identifier);
        }
        else
        {
            // §6: a custom server is shown by its host name.
            displayName = English(Uri.TryCreate(id.Identifier, UriKind.Absolute, out var uri) ? uri.Host : id.Identifier);
        }

        var authorized = server.LastAuthorizeTime?.ToUnixTimeMilliseconds();
        var expires = server.ExpireTime?.ToUnixTimeMilliseconds();
        // eduvpn-common keeps no separate start for the configuration; its expiry times start at the authorization.
        var started = expires is null ? null : authorized;
        return new RegistryServerEntry(id.Type, id.Identifier, baseUrl, displayName, organizationId, country, locationBaseUrl,
            profile, profilesByLocation, ms, authorized, started, expires);
    }

    private static string Details(RegistryServerEntry entry)
    {
        var parts = new List<string>();
        if (entry.Type == ServerType.SecureInternet && entry.BaseUrl.Length == 0)
        {
            parts.Add("home server not in the file's discovery cache");
        }
        if (entry.LocationCountryCode is { } country && entry.LocationBaseUrl is null)
        {
            parts.Add($"location {Printable(country)} not in the file's discovery cache");
        }
        return parts.Count == 0 ? "" : " (" + string.Join(", ", parts) + ")";
    }

    private static string? Normalised(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }
        try
        {
            return UrlRules.EnsureValidUrl(url);
        }
        catch (ApiException)
        {
            return null;
        }
    }

    private static string TypeName(ServerType type) => type switch
    {
        ServerType.InstituteAccess => "institute access",
        ServerType.SecureInternet => "secure internet",
        ServerType.Custom => "custom",
        _ => "unknown type",
    };

    private static IReadOnlyDictionary<string, string> English(string text) => LocalizedText.English(text).Values;

    /// <summary>Keeps a hostile identifier from breaking the one-line-per-item layout.</summary>
    private static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c);
        }
        return builder.ToString();
    }
}
