using System.Text.Json;
using System.Text.Json.Serialization;

namespace EduVpnActors.Actors.Sessions.Tokens;

/// <summary>
/// The tokens of one session. Only ever stored encrypted; <see cref="ToString"/> hides the tokens.
/// </summary>
/// <param name="AccessToken">The bearer token.</param>
/// <param name="RefreshToken">Single use; empty when the server issued none.</param>
/// <param name="AccessTokenExpiresAt">Request start + <c>expires_in</c>.</param>
/// <param name="AuthorizedAt">When the user last authorized (the code exchange), kept across refreshes.</param>
public sealed record OAuthTokens(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt, DateTimeOffset AuthorizedAt)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>True when the access token should not be sent any more (<paramref name="margin"/> before its expiry).</summary>
    public bool IsExpired(DateTimeOffset now, TimeSpan margin) => now + margin >= AccessTokenExpiresAt;

    /// <summary>The same tokens with the access token marked expired (after a 401), forcing a refresh.</summary>
    public OAuthTokens WithAccessExpired() => this with { AccessTokenExpiresAt = DateTimeOffset.UnixEpoch };

    /// <summary>The plain bytes to encrypt (never stored or logged as they are).</summary>
    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(new Stored(
        AccessToken, RefreshToken, AccessTokenExpiresAt.ToUnixTimeMilliseconds(), AuthorizedAt.ToUnixTimeMilliseconds()), Json);

    /// <exception cref="JsonException">Not a token document.</exception>
    public static OAuthTokens FromBytes(ReadOnlySpan<byte> bytes)
    {
        var stored = JsonSerializer.Deserialize<Stored>(bytes, Json) ?? throw new JsonException("empty token document");
        if (string.IsNullOrEmpty(stored.Access))
        {
            throw new JsonException("the token document has no access token");
        }
        return new OAuthTokens(stored.Access, stored.Refresh ?? "",
            DateTimeOffset.FromUnixTimeMilliseconds(stored.ExpiresAtMs), DateTimeOffset.FromUnixTimeMilliseconds(stored.AuthorizedAtMs));
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"OAuthTokens {{ AccessToken = <redacted>, RefreshToken = <{(RefreshToken.Length == 0 ? "none" : "redacted")}>, AccessTokenExpiresAt = {AccessTokenExpiresAt:O}, AuthorizedAt = {AuthorizedAt:O} }}";

    private sealed record Stored(
        [property: JsonPropertyName("access")] string Access,
        [property: JsonPropertyName("refresh")] string? Refresh,
        [property: JsonPropertyName("expiresAtMs")] long ExpiresAtMs,
        [property: JsonPropertyName("authorizedAtMs")] long AuthorizedAtMs);
}
