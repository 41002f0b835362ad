using System.Text.Json;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Import;

namespace EduVpnActors.Actors.Servers.Registry;

/// <summary>
/// Names and URLs from the discovery cache inside an imported eduvpn-common state (unsigned there,
/// so used only for labels and URLs of servers the user had already added, never to add any).
/// </summary>
internal sealed class ImportedDiscoveryLookup
{
    private static readonly ImportedDiscoveryLookup None = new([], []);

    private readonly IReadOnlyList<DiscoveredServer> _servers;
    private readonly IReadOnlyList<DiscoveredOrganization> _organizations;

    private ImportedDiscoveryLookup(IReadOnlyList<DiscoveredServer> servers, IReadOnlyList<DiscoveredOrganization> organizations)
    {
        _servers = servers;
        _organizations = organizations;
    }

    public static ImportedDiscoveryLookup From(ImportedDiscovery? discovery)
    {
        if (discovery is null)
        {
            return None;
        }
        var servers = Entries(discovery.Servers, "server_list").Select(e => new DiscoveredServer(
            Text(e, "base_url"), ServerType(e), Localized(e, "display_name"), Text(e, "country_code"))).ToArray();
        var organizations = Entries(discovery.Organizations, "organization_list").Select(e => new DiscoveredOrganization(
            Text(e, "org_id"), Localized(e, "display_name"), Text(e, "secure_internet_home"))).ToArray();
        return new ImportedDiscoveryLookup(servers, organizations);
    }

    public DiscoveredOrganization? Organization(string orgId) => _organizations.FirstOrDefault(o => o.OrgId == orgId);

    /// <summary>The base URL of the Secure Internet server of <paramref name="countryCode"/>, first in list order.</summary>
    public string? SecureInternetLocation(string countryCode) =>
        _servers.FirstOrDefault(s => s.Type == 2 && s.CountryCode == countryCode)?.BaseUrl;

    /// <summary>The display name of the institute access server at <paramref name="normalisedBaseUrl"/>.</summary>
    public IReadOnlyDictionary<string, string>? InstituteName(string normalisedBaseUrl) =>
        _servers.FirstOrDefault(s => s.Type == 1 && s.DisplayName is not null && Normalised(s.BaseUrl) == normalisedBaseUrl)?.DisplayName;

    private static IEnumerable<JsonElement> Entries(ImportedDiscoveryList? list, string name)
    {
        if (list is null)
        {
            return [];
        }
        // The reader re-serialized and type-checked the list, so this parse cannot fail on valid input.
        using var document = JsonDocument.Parse(list.Json.AsMemory());
        return document.RootElement.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Select(e => e.Clone()).ToArray()
            : [];
    }

    private static string? Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>§0: an integer type or a legacy name.</summary>
    private static int ServerType(JsonElement entry)
    {
        if (!entry.TryGetProperty("server_type", out var value))
        {
            return 0;
        }
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var n) => n,
            JsonValueKind.String => value.GetString() switch
            {
                "institute_access" => 1,
                "secure_internet" => 2,
                "custom_server" => 3,
                _ => 0,
            },
            _ => 0,
        };
    }

    private static IReadOnlyDictionary<string, string>? Localized(JsonElement entry, string name)
    {
        if (!entry.TryGetProperty(name, out var value))
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() is { Length: > 0 } text ? new Dictionary<string, string> { ["en"] = text } : null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                map[property.Name] = property.Value.GetString()!;
            }
        }
        return map.Count == 0 ? null : map;
    }

    private static string? Normalised(string? url)
    {
        try
        {
            return url is null ? null : UrlRules.EnsureValidUrl(url);
        }
        catch (ApiException)
        {
            return null;
        }
    }

    internal sealed record DiscoveredServer(string? BaseUrl, int Type, IReadOnlyDictionary<string, string>? DisplayName, string? CountryCode);

    internal sealed record DiscoveredOrganization(string? OrgId, IReadOnlyDictionary<string, string>? DisplayName, string? SecureInternetHome);
}
