using System.Collections.Immutable;
using System.Text.Json;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Actors.Api;

/// <summary>Parses the <c>/info</c> response: <c>{"info":{"profile_list":[…]}}</c>.</summary>
public static class InfoDocument
{
    /// <summary>The profiles in server order. <c>display_name</c> may be a string or a language map.</summary>
    /// <exception cref="ApiException"><see cref="ApiErrorKind.InfoInvalid"/>.</exception>
    public static IReadOnlyList<Profile> Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("info", out var info) || info.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the response has no 'info' object");
            }
            if (!info.TryGetProperty("profile_list", out var list) || list.ValueKind == JsonValueKind.Null)
            {
                return [];
            }
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("'profile_list' is not an array");
            }
            return list.EnumerateArray().Select(ParseProfile).ToImmutableArray();
        }
        catch (JsonException e)
        {
            throw new ApiException(ApiErrorKind.InfoInvalid, "the /info response is not valid JSON", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString throws this for an escaped lone surrogate ("\uD800"): valid JSON, but no text.
            throw new ApiException(ApiErrorKind.InfoInvalid, "the /info response holds a string that is not valid Unicode", e);
        }
    }

    private static Profile ParseProfile(JsonElement p)
    {
        if (p.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("a profile is not an object");
        }
        var id = p.TryGetProperty("profile_id", out var idElement) && idElement.ValueKind == JsonValueKind.String
            ? idElement.GetString()!
            : "";
        if (id.Length == 0)
        {
            throw Invalid("a profile has no 'profile_id'");
        }
        var protocols = Strings(p, "vpn_proto_list")
            .Select(VpnProtocolNames.Parse)
            .Where(x => x != VpnProtocol.Unknown)
            .Distinct()
            .ToImmutableArray();
        return new Profile(
            id,
            DisplayName(p),
            p.TryGetProperty("default_gateway", out var gw) && gw.ValueKind == JsonValueKind.True,
            protocols,
            Strings(p, "vpn_proto_transport_list"),
            Strings(p, "dns_search_domain_list"));
    }

    private static LocalizedText DisplayName(JsonElement p)
    {
        if (!p.TryGetProperty("display_name", out var name))
        {
            return LocalizedText.Empty;
        }
        switch (name.ValueKind)
        {
            case JsonValueKind.String:
                return name.GetString() is { Length: > 0 } s ? LocalizedText.English(s) : LocalizedText.Empty;
            case JsonValueKind.Object:
                var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
                foreach (var entry in name.EnumerateObject())
                {
                    if (entry.Value.ValueKind == JsonValueKind.String)
                    {
                        builder[entry.Name] = entry.Value.GetString()!;
                    }
                }
                return new LocalizedText(builder.ToImmutable());
            case JsonValueKind.Null:
                return LocalizedText.Empty;
            default:
                throw Invalid("'display_name' is neither a string nor a language map");
        }
    }

    private static ImmutableArray<string> Strings(JsonElement p, string name)
    {
        if (!p.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"'{name}' is not an array");
        }
        return list.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Invalid($"'{name}' has a non-string entry"))
            .ToImmutableArray();
    }

    private static ApiException Invalid(string message) => new(ApiErrorKind.InfoInvalid, message);
}
