using System.Collections.Immutable;
using System.Text.Json;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Discovery;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Discovery.Documents;

/// <summary>
/// Parses the two discovery documents into fresh immutable values (nothing is reused between
/// documents, unlike eduvpn-common before 2.1.0). Unknown fields are ignored. Entries with an
/// unknown <c>server_type</c> are skipped, so a future server type does not break older clients;
/// a missing or mistyped required field rejects the whole document.
/// </summary>
public static class DiscoveryDocuments
{
    private const string ServerListFile = "server_list.json";
    private const string OrganizationListFile = "organization_list.json";

    /// <summary>Parses <c>server_list.json</c>.</summary>
    /// <exception cref="DiscoveryFormatException">The document is malformed.</exception>
    public static ServerList ParseServerList(ReadOnlySpan<byte> json)
    {
        using var document = ParseJson(json, ServerListFile);
        return WithUnicodeCheck(ServerListFile, document, ReadServerList);
    }

    private static ServerList ReadServerList(JsonDocument document)
    {
        var reader = new Reader(ServerListFile);
        var root = reader.Object(document.RootElement, "the document");
        var version = reader.Version(root);
        var entries = reader.RequiredArray(root, "server_list", "the document");

        var servers = ImmutableArray.CreateBuilder<DiscoveryServer>(entries.GetArrayLength());
        var index = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            var where = $"server_list[{index++}]";
            reader.Object(entry, where);
            var baseUrl = reader.RequiredString(entry, "base_url", where);
            var type = reader.RequiredString(entry, "server_type", where) switch
            {
                "institute_access" => ServerType.InstituteAccess,
                "secure_internet" => ServerType.SecureInternet,
                _ => ServerType.Unknown,
            };
            if (type == ServerType.Unknown)
            {
                continue;
            }
            servers.Add(new DiscoveryServer(
                baseUrl,
                type,
                reader.Localized(entry, "display_name", where),
                reader.Localized(entry, "keyword_list", where),
                reader.OptionalString(entry, "country_code", where) ?? "",
                reader.OptionalString(entry, "authentication_url_template", where),
                reader.StringList(entry, "support_contact", where),
                reader.StringList(entry, "public_key_list", where)));
        }
        return new ServerList(version, servers.ToImmutable());
    }

    /// <summary>Parses <c>organization_list.json</c>.</summary>
    /// <exception cref="DiscoveryFormatException">The document is malformed.</exception>
    public static OrganizationList ParseOrganizationList(ReadOnlySpan<byte> json)
    {
        using var document = ParseJson(json, OrganizationListFile);
        return WithUnicodeCheck(OrganizationListFile, document, ReadOrganizationList);
    }

    private static OrganizationList ReadOrganizationList(JsonDocument document)
    {
        var reader = new Reader(OrganizationListFile);
        var root = reader.Object(document.RootElement, "the document");
        var version = reader.Version(root);
        var entries = reader.RequiredArray(root, "organization_list", "the document");

        var organizations = ImmutableArray.CreateBuilder<DiscoveryOrganization>(entries.GetArrayLength());
        var index = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            var where = $"organization_list[{index++}]";
            reader.Object(entry, where);
            organizations.Add(new DiscoveryOrganization(
                reader.RequiredString(entry, "org_id", where),
                reader.Localized(entry, "display_name", where),
                reader.Localized(entry, "keyword_list", where),
                reader.RequiredString(entry, "secure_internet_home", where)));
        }
        return new OrganizationList(version, organizations.ToImmutable());
    }

    /// <summary>
    /// An escaped lone surrogate (<c>"\uD800"</c>) is valid JSON but no .NET string: reading that
    /// value or looking up a key next to such a name throws InvalidOperationException.
    /// </summary>
    private static T WithUnicodeCheck<T>(string fileName, JsonDocument document, Func<JsonDocument, T> read)
    {
        try
        {
            return read(document);
        }
        catch (InvalidOperationException e)
        {
            throw new DiscoveryFormatException(fileName, "a string or key is not valid Unicode text (an escaped lone surrogate)", e);
        }
    }

    private static JsonDocument ParseJson(ReadOnlySpan<byte> json, string fileName)
    {
        try
        {
            // The reader works on the span directly; ParseValue copies what it keeps.
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            var document = JsonDocument.ParseValue(ref reader);
            try
            {
                if (reader.Read())
                {
                    throw new DiscoveryFormatException(fileName, "unexpected data after the JSON document");
                }
            }
            catch
            {
                document.Dispose();
                throw;
            }
            return document;
        }
        catch (JsonException e)
        {
            // JsonException texts can quote document characters; report the position only.
            var position = e.LineNumber is { } line
                ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}"
                : "";
            throw new DiscoveryFormatException(fileName, $"not valid JSON{position}", e);
        }
    }

    /// <summary>Typed field access that reports problems with the file name and the entry.</summary>
    private readonly struct Reader(string fileName)
    {
        public JsonElement Object(JsonElement element, string where) =>
            element.ValueKind == JsonValueKind.Object ? element : throw Problem($"{where} is not a JSON object");

        public long Version(JsonElement root)
        {
            if (!root.TryGetProperty("v", out var v))
            {
                throw Problem("'v' is missing");
            }
            return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var version) && version >= 0
                ? version
                : throw Problem("'v' is not a non-negative integer");
        }

        public JsonElement RequiredArray(JsonElement parent, string name, string where)
        {
            if (!parent.TryGetProperty(name, out var value))
            {
                throw Problem($"'{name}' is missing in {where}");
            }
            return value.ValueKind == JsonValueKind.Array ? value : throw Problem($"'{name}' in {where} is not an array");
        }

        public string RequiredString(JsonElement parent, string name, string where)
        {
            var value = OptionalString(parent, name, where);
            return string.IsNullOrEmpty(value) ? throw Problem($"{where}: '{name}' is missing or empty") : value;
        }

        public string? OptionalString(JsonElement parent, string name, string where)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Problem($"{where}: '{name}' is not a string");
        }

        public IReadOnlyList<string> StringList(JsonElement parent, string name, string where)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return ImmutableArray<string>.Empty;
            }
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw Problem($"{where}: '{name}' is not an array");
            }
            var items = ImmutableArray.CreateBuilder<string>(value.GetArrayLength());
            foreach (var item in value.EnumerateArray())
            {
                items.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Problem($"{where}: '{name}' holds a non-string"));
            }
            return items.ToImmutable();
        }

        /// <summary>A string (taken as English) or a map from language tag to string.</summary>
        public LocalizedText Localized(JsonElement parent, string name, string where)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return LocalizedText.Empty;
            }
            if (value.ValueKind == JsonValueKind.String)
            {
                return LocalizedText.English(value.GetString()!);
            }
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw Problem($"{where}: '{name}' is neither a string nor an object");
            }
            var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var language in value.EnumerateObject())
            {
                if (language.Value.ValueKind != JsonValueKind.String)
                {
                    throw Problem($"{where}: '{name}' has a non-string value for a language");
                }
                // A repeated language key keeps the last value, as Go's encoding/json does.
                values[language.Name] = language.Value.GetString()!;
            }
            return values.Count == 0 ? LocalizedText.Empty : new LocalizedText(values.ToImmutable());
        }

        private DiscoveryFormatException Problem(string problem) => new(fileName, problem);
    }
}
