using System.Text.Json;

namespace EduVpnActors.Actors.Api;

/// <summary>The API v3 endpoints of a server, from <c>/.well-known/vpn-user-portal</c>.</summary>
/// <param name="ApiEndpoint">Base of <c>/info</c>, <c>/connect</c>, <c>/disconnect</c> (joined by concatenation).</param>
/// <param name="AuthorizationEndpoint">OAuth authorization endpoint.</param>
/// <param name="TokenEndpoint">OAuth token endpoint.</param>
/// <param name="ServerVersion">The <c>v</c> field, when present.</param>
public sealed record WellKnownDocument(Uri ApiEndpoint, Uri AuthorizationEndpoint, Uri TokenEndpoint, string? ServerVersion)
{
    private const string ApiV3Key = "http://eduvpn.org/api#3";

    /// <summary>
    /// Parses and validates the document: the API v3 entry must exist; the API endpoint must be
    /// https and the OAuth endpoints must use the same scheme.
    /// </summary>
    /// <exception cref="ApiException"><see cref="ApiErrorKind.WellKnownInvalid"/> or <see cref="ApiErrorKind.WellKnownInsecure"/>.</exception>
    public static WellKnownDocument Parse(ReadOnlySpan<byte> json)
    {
        string api, authorization, token;
        string? version = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("api", out var apis) || apis.ValueKind != JsonValueKind.Object
                || !apis.TryGetProperty(ApiV3Key, out var v3) || v3.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the document has no API v3 entry");
            }
            api = RequiredString(v3, "api_endpoint");
            authorization = RequiredString(v3, "authorization_endpoint");
            token = RequiredString(v3, "token_endpoint");
            if (root.TryGetProperty("v", out var v) && v.ValueKind == JsonValueKind.String)
            {
                version = v.GetString();
            }
        }
        catch (JsonException e)
        {
            throw new ApiException(ApiErrorKind.WellKnownInvalid, "the well-known document is not valid JSON", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString throws this for an escaped lone surrogate ("\uD800"): valid JSON, but no text.
            throw new ApiException(ApiErrorKind.WellKnownInvalid, "the well-known document holds a string that is not valid Unicode", e);
        }
        var apiUri = ParseUri(api, "api_endpoint");
        var authUri = ParseUri(authorization, "authorization_endpoint");
        var tokenUri = ParseUri(token, "token_endpoint");
        if (apiUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ApiException(ApiErrorKind.WellKnownInsecure, $"API scheme: '{apiUri.Scheme}' is not https");
        }
        if (authUri.Scheme != apiUri.Scheme || tokenUri.Scheme != apiUri.Scheme)
        {
            throw new ApiException(ApiErrorKind.WellKnownInsecure, "the OAuth endpoints do not use the API endpoint's scheme");
        }
        return new WellKnownDocument(apiUri, authUri, tokenUri, version);
    }

    /// <summary>The URL of an API call: the API endpoint plus <paramref name="call"/> (e.g. <c>/info</c>), concatenated.</summary>
    public Uri ApiCall(string call) => new(ApiEndpoint.OriginalString.TrimEnd('/') + call);

    private static string RequiredString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } s
            ? s
            : throw Invalid($"the API v3 entry has no '{name}'");

    private static Uri ParseUri(string s, string name) =>
        Uri.TryCreate(s, UriKind.Absolute, out var u) && u.Host.Length > 0 ? u : throw Invalid($"'{name}' is not an absolute URL");

    private static ApiException Invalid(string message) => new(ApiErrorKind.WellKnownInvalid, message);
}
