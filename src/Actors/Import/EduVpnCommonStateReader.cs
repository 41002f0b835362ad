using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Servers;
using static EduVpnActors.Actors.Import.StateJson;

namespace EduVpnActors.Actors.Import;

/// <summary>
/// Reads eduvpn-common's <c>state.json</c> (format v2, or v1 converted as eduvpn-common does) into
/// an immutable <see cref="ImportedState"/>. All or nothing: any invalid part throws a
/// <see cref="StateImportException"/> and no partial state is returned. Tokens are not part of
/// the format; unexpected fields are ignored and their values never appear in errors.
/// </summary>
/// <remarks>
/// Differences from Go's decoder, all on input eduvpn-common never writes: field names match
/// exactly (Go also accepts other letter cases), invalid UTF-8 is rejected (Go substitutes
/// U+FFFD), and two Secure Internet servers are rejected (eduvpn-common never stores two).
/// </remarks>
public static class EduVpnCommonStateReader
{
    /// <summary>Largest accepted input; real files are a few hundred KiB (mostly discovery).</summary>
    public const int MaxStateBytes = 8 * 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 128 };

    private static readonly JsonWriterOptions RawWriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Reads the state file at <paramref name="path"/>.</summary>
    public static ImportedState ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            if (Directory.Exists(path))
            {
                throw new StateImportException(StateImportErrorKind.NotARegularFile, null, "the state path is a directory");
            }
            throw new StateImportException(StateImportErrorKind.FileNotFound, null, "the state file does not exist");
        }
        if (info.Length > MaxStateBytes)
        {
            throw TooLarge();
        }
        if (info.Length == 0)
        {
            // FIFOs, sockets and devices report size 0 too; never open them (a FIFO would block).
            throw new StateImportException(StateImportErrorKind.NotJson, null, "the state file is empty or not a regular file");
        }

        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            bytes = ReadCapped(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new StateImportException(StateImportErrorKind.FileNotFound, null, "the state file does not exist", e);
            }
            throw new StateImportException(StateImportErrorKind.Unreadable, null, $"the state file cannot be read ({e.GetType().Name})", e);
        }
        return Read(bytes);
    }

    /// <summary>Reads a state document from UTF-8 JSON.</summary>
    public static ImportedState Read(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxStateBytes)
        {
            throw TooLarge();
        }

        // Go would substitute U+FFFD; rejecting keeps later string reads from failing untyped.
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw new StateImportException(StateImportErrorKind.NotJson, null, "the state is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), DocumentOptions);
        }
        catch (JsonException e)
        {
            // The parser's message quotes no values, only positions.
            throw new StateImportException(StateImportErrorKind.NotJson, null, $"not valid JSON ({e.LineNumber + 1}:{e.BytePositionInLine + 1})", e);
        }

        using (document)
        {
            try
            {
                return ReadRoot(document.RootElement);
            }
            catch (InvalidOperationException e)
            {
                // An escaped lone surrogate ("\uD800") is valid JSON but no .NET string; Go would
                // substitute U+FFFD. Rejected like invalid UTF-8 above.
                throw new StateImportException(StateImportErrorKind.NotJson, null, "a string or key is not valid Unicode text", e);
            }
        }
    }

    private static ImportedState ReadRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new StateImportException(StateImportErrorKind.UnknownFormat, null, "the state is not a JSON object");
        }
        // eduvpn-common prefers v2 when both are present; null counts as absent.
        var v2 = Object(root, "v2", "$");
        if (v2 is { } v2Object)
        {
            return ReadV2(v2Object);
        }
        var v1 = Object(root, "v1", "$");
        if (v1 is { } v1Object)
        {
            return ReadV1(v1Object);
        }
        throw new StateImportException(StateImportErrorKind.UnknownFormat, null, "neither a v2 nor a v1 eduvpn-common state");
    }

    private static ImportedState ReadV2(JsonElement v2)
    {
        const string path = "$.v2";
        var servers = new Dictionary<ImportedServerKey, ImportedServer>();
        if (Object(v2, "server_list", path) is { } list)
        {
            var listPath = Join(path, "server_list");
            foreach (var (keyText, entry) in Members(list))
            {
                var entryPath = Index(listPath, keyText);
                var key = ServerKeyParser.Parse(keyText, entryPath);
                if (entry.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid(entryPath, "expected an object");
                }
                // Like a Go map, a later spelling of the same key replaces an earlier one.
                servers[key] = ReadV2Server(key, entry, entryPath);
            }
        }

        ImportedServerKey? current = null;
        if (Property(v2, "last_chosen_id") is { } chosen)
        {
            var chosenPath = Join(path, "last_chosen_id");
            current = ServerKeyParser.Parse(StringValue(chosen, chosenPath), chosenPath);
        }

        var discovery = ReadDiscovery(v2, path);
        return Build(2, servers, current, discovery);
    }

    private static ImportedServer ReadV2Server(ImportedServerKey key, JsonElement entry, string path)
    {
        var profiles = ImmutableSortedDictionary<string, ImportedProfile>.Empty.WithComparers(StringComparer.Ordinal);
        string current = "";
        if (Object(entry, "profiles", path) is { } profilesObject)
        {
            var profilesPath = Join(path, "profiles");
            current = String(profilesObject, "current", profilesPath);
            if (Object(profilesObject, "map", profilesPath) is { } map)
            {
                var mapPath = Join(profilesPath, "map");
                var builder = profiles.ToBuilder();
                foreach (var (id, profile) in Members(map))
                {
                    var profilePath = Index(mapPath, id);
                    if (profile.ValueKind == JsonValueKind.Null)
                    {
                        builder[id] = new ImportedProfile(LocalizedText.Empty, false);
                        continue;
                    }
                    if (profile.ValueKind != JsonValueKind.Object)
                    {
                        throw Invalid(profilePath, "expected an object");
                    }
                    builder[id] = new ImportedProfile(
                        Localized(profile, "display_name", profilePath),
                        Bool(profile, "default_gateway", profilePath));
                }
                profiles = builder.ToImmutable();
            }
        }

        return new ImportedServer(
            key,
            NullIfEmpty(current),
            profiles,
            Time(entry, "last_authorize_time", path),
            Time(entry, "expire_time", path),
            NullIfEmpty(String(entry, "country_code", path)),
            StringMap(entry, "location_profiles", path));
    }

    private static ImportedState ReadV1(JsonElement v1)
    {
        const string path = "$.v1";
        var servers = new Dictionary<ImportedServerKey, ImportedServer>();
        ImportedServerKey? current = null;

        if (Object(v1, "servers", path) is { } list)
        {
            var listPath = Join(path, "servers");
            // v1 numbers the last-used kind differently: 0 custom, 1 institute, 2 secure.
            var lastKind = Int64(list, "is_secure_internet", listPath);
            if (lastKind is < sbyte.MinValue or > sbyte.MaxValue)
            {
                throw Invalid(Join(listPath, "is_secure_internet"), "out of range");
            }

            // Custom first, as eduvpn-common: it decides the current server when both could.
            var customCurrent = ReadV1List(list, "custom_servers", listPath, ServerType.Custom, lastKind == 0, servers);
            var instituteCurrent = ReadV1List(list, "institute_servers", listPath, ServerType.InstituteAccess, lastKind == 1, servers);
            current = customCurrent ?? instituteCurrent;

            if (Object(list, "secure_internet_home", listPath) is { } home)
            {
                var homePath = Join(listPath, "secure_internet_home");
                var orgId = String(home, "home_organization_id", homePath);
                var location = String(home, "current_location", homePath);
                // Checked for type only: names come from discovery, not from the state.
                _ = Localized(home, "display_name", homePath);
                // Every base is validated even though only the current location's is kept.
                var bases = new Dictionary<string, ImportedServer>(StringComparer.Ordinal);
                if (Object(home, "base_map", homePath) is { } baseMap)
                {
                    var basePath = Join(homePath, "base_map");
                    foreach (var (countryCode, baseValue) in Members(baseMap))
                    {
                        if (baseValue.ValueKind == JsonValueKind.Null)
                        {
                            bases.Remove(countryCode);
                            continue;
                        }
                        var key = new ImportedServerKey(ServerType.SecureInternet, orgId);
                        bases[countryCode] = ReadV1Base(key, baseValue, Index(basePath, countryCode), countryCode);
                    }
                }
                if (orgId.Length > 0 && bases.TryGetValue(location, out var secure))
                {
                    servers[secure.Key] = secure;
                    if (lastKind == 2)
                    {
                        current = secure.Key;
                    }
                }
            }
        }

        var discovery = ReadDiscovery(v1, path);
        return Build(1, servers, current, discovery);
    }

    /// <summary>Adds a v1 custom or institute list; returns its <c>current_url</c> server when <paramref name="isLastUsed"/>.</summary>
    private static ImportedServerKey? ReadV1List(
        JsonElement servers, string name, string path, ServerType type, bool isLastUsed, Dictionary<ImportedServerKey, ImportedServer> into)
    {
        if (Object(servers, name, path) is not { } list)
        {
            return null;
        }
        var listPath = Join(path, name);
        var currentUrl = String(list, "current_url", listPath);
        ImportedServerKey? current = null;
        if (Object(list, "map", listPath) is { } map)
        {
            var mapPath = Join(listPath, "map");
            foreach (var (url, entry) in Members(map))
            {
                var entryPath = Index(mapPath, url);
                var key = new ImportedServerKey(type, url);
                if (entry.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                {
                    throw Invalid(entryPath, "expected an object");
                }
                var baseValue = entry.ValueKind == JsonValueKind.Object ? Object(entry, "base", entryPath) : null;
                into[key] = baseValue is { } b
                    ? ReadV1Base(key, b, Join(entryPath, "base"), countryCode: null)
                    : EmptyServer(key);
                if (isLastUsed && url == currentUrl)
                {
                    current = key;
                }
            }
        }
        return current;
    }

    private static ImportedServer ReadV1Base(ImportedServerKey key, JsonElement baseValue, string path, string? countryCode)
    {
        if (baseValue.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, "expected an object");
        }
        _ = String(baseValue, "base_url", path);

        var profiles = ImmutableSortedDictionary<string, ImportedProfile>.Empty.WithComparers(StringComparer.Ordinal);
        var current = "";
        if (Object(baseValue, "profiles", path) is { } profilesObject)
        {
            var profilesPath = Join(path, "profiles");
            current = String(profilesObject, "current_profile", profilesPath);
            if (Object(profilesObject, "info", profilesPath) is { } info
                && Array(info, "profile_list", Join(profilesPath, "info")) is { } profileList)
            {
                var listPath = Join(Join(profilesPath, "info"), "profile_list");
                var builder = profiles.ToBuilder();
                var index = 0;
                foreach (var profile in profileList.EnumerateArray())
                {
                    var profilePath = $"{listPath}[{index++}]";
                    if (profile.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }
                    if (profile.ValueKind != JsonValueKind.Object)
                    {
                        throw Invalid(profilePath, "expected an object");
                    }
                    // Later duplicates win, as in the Go map eduvpn-common builds.
                    builder[String(profile, "profile_id", profilePath)] = new ImportedProfile(
                        LocalizedText.English(String(profile, "display_name", profilePath)),
                        Bool(profile, "default_gateway", profilePath));
                }
                profiles = builder.ToImmutable();
            }
        }

        var startTime = Time(baseValue, "start_time", path);
        var oauthStartTime = Time(baseValue, "start_time_oauth", path);
        return new ImportedServer(
            key,
            NullIfEmpty(current),
            profiles,
            oauthStartTime ?? startTime,
            Time(baseValue, "expire_time", path),
            string.IsNullOrEmpty(countryCode) ? null : countryCode,
            EmptyStrings);
    }

    private static ImportedDiscovery? ReadDiscovery(JsonElement parent, string path)
    {
        if (Object(parent, "discovery", path) is not { } discovery)
        {
            return null;
        }
        var discoveryPath = Join(path, "discovery");
        var servers = ReadDiscoveryList(discovery, "servers", "server_list", discoveryPath, CheckDiscoveryServer);
        var organizations = ReadDiscoveryList(discovery, "organizations", "organization_list", discoveryPath, CheckOrganization);
        return servers is null && organizations is null ? null : new ImportedDiscovery(servers, organizations);
    }

    private static ImportedDiscoveryList? ReadDiscoveryList(
        JsonElement discovery, string name, string listName, string path, Action<JsonElement, string> checkEntry)
    {
        if (Object(discovery, name, path) is not { } cache)
        {
            return null;
        }
        var cachePath = Join(path, name);
        var version = UInt64(cache, "v", cachePath);
        var timestamp = Time(cache, "go_timestamp", cachePath);
        var updateHeader = Time(cache, "go_update_header", cachePath);
        if (Array(cache, listName, cachePath) is not { } list || list.GetArrayLength() == 0)
        {
            return null;
        }

        var listPath = Join(cachePath, listName);
        var index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            var entryPath = $"{listPath}[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(entryPath, "expected an object");
            }
            checkEntry(entry, entryPath);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, RawWriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", version);
            writer.WritePropertyName(listName);
            list.WriteTo(writer);
            writer.WriteEndObject();
        }
        return new ImportedDiscoveryList(version, ImmutableArray.Create(buffer.ToArray()), timestamp, updateHeader);
    }

    /// <summary>Checks the JSON types of the §3.2 server fields eduvpn-common keeps in its cache.</summary>
    private static void CheckDiscoveryServer(JsonElement server, string path)
    {
        _ = String(server, "base_url", path);
        CheckServerType(server, "server_type", path);
        _ = Localized(server, "display_name", path);
        _ = Localized(server, "keyword_list", path);
        _ = String(server, "country_code", path);
        _ = String(server, "authentication_url_template", path);
        CheckStrings(server, "public_key_list", path);
        CheckStrings(server, "support_contact", path);
    }

    /// <summary>Checks the JSON types of the §3.2 organization fields eduvpn-common keeps in its cache.</summary>
    private static void CheckOrganization(JsonElement organization, string path)
    {
        _ = String(organization, "org_id", path);
        _ = Localized(organization, "display_name", path);
        _ = String(organization, "secure_internet_home", path);
        _ = Localized(organization, "keyword_list", path);
    }

    private static void CheckStrings(JsonElement parent, string name, string path)
    {
        if (Array(parent, name, path) is not { } array)
        {
            return;
        }
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            _ = StringValue(item.ValueKind == JsonValueKind.Null ? null : item, $"{Join(path, name)}[{index++}]");
        }
    }

    private static ImportedState Build(
        int formatVersion, Dictionary<ImportedServerKey, ImportedServer> servers, ImportedServerKey? current, ImportedDiscovery? discovery)
    {
        if (servers.Keys.Count(k => k.Type == ServerType.SecureInternet) > 1)
        {
            throw Invalid("$", "more than one Secure Internet server");
        }
        var ordered = servers.Values
            .OrderBy(s => s.Key.Type)
            .ThenBy(s => s.Key.Identifier, StringComparer.Ordinal)
            .ToImmutableArray();
        // A last chosen server that is not stored is what eduvpn-common reports as "no server chosen".
        var resolvedCurrent = current is not null && servers.ContainsKey(current) ? current : null;
        return new ImportedState(formatVersion, ordered, resolvedCurrent, discovery);
    }

    private static ImportedServer EmptyServer(ImportedServerKey key) => new(
        key, null, ImmutableSortedDictionary<string, ImportedProfile>.Empty.WithComparers(StringComparer.Ordinal), null, null, null, EmptyStrings);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static byte[] ReadCapped(Stream stream)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > MaxStateBytes)
            {
                throw TooLarge();
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static StateImportException TooLarge() =>
        new(StateImportErrorKind.TooLarge, null, $"the state is larger than {MaxStateBytes} bytes");
}
