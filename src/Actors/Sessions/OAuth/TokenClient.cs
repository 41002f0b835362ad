using System.Net;
using System.Text.Json;
using EduVpnActors.Actors.Http;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Sessions;

namespace EduVpnActors.Actors.Sessions.OAuth;

/// <summary>The refresh token was refused with <c>invalid_grant</c>: the authorization is gone.</summary>
public sealed class RefreshRejectedException(string message) : Exception(message);

/// <summary>
/// The OAuth token endpoint: code exchange and refresh, form-encoded, through the engine's HTTP
/// client. The expiry is measured from the moment the request started.
/// </summary>
public sealed class TokenClient(EngineHttpClient http, TimeProvider time)
{
    /// <summary>Exchanges an authorization code (with the PKCE verifier) for tokens.</summary>
    /// <exception cref="SessionException"><see cref="SessionErrorKind.AuthorizationFailed"/>, <see cref="SessionErrorKind.Unreachable"/>, <see cref="SessionErrorKind.MalformedResponse"/>.</exception>
    public async Task<OAuthTokens> ExchangeCodeAsync(Uri tokenEndpoint, string clientId, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var response = await PostAsync(tokenEndpoint, [
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", redirectUri),
            new("client_id", clientId),
            new("code_verifier", codeVerifier),
        ], cancellationToken).ConfigureAwait(false);
        if (response.Status != HttpStatusCode.OK)
        {
            var (error, _) = ReadError(response.Body);
            throw new SessionException(new SessionFailure(SessionErrorKind.AuthorizationFailed,
                $"The token endpoint refused the authorization code ({(int)response.Status} {error ?? "no error code"}).", (int)response.Status)
            {
                ServerMessage = ServerErrorText.From(response.Body, response.ContentType, code, codeVerifier),
            });
        }
        return Parse(response.Body, startedAt, previous: null, authorizedAt: startedAt);
    }

    /// <summary>Uses the (single-use) refresh token once. A response without a new refresh token keeps the old one (2.x servers).</summary>
    /// <exception cref="RefreshRejectedException"><c>invalid_grant</c>: the authorization is gone.</exception>
    /// <exception cref="SessionException">Any other failure.</exception>
    public async Task<OAuthTokens> RefreshAsync(Uri tokenEndpoint, string clientId, OAuthTokens tokens, CancellationToken cancellationToken)
    {
        if (tokens.RefreshToken.Length == 0)
        {
            throw new RefreshRejectedException("The session has no refresh token.");
        }
        var startedAt = time.GetUtcNow();
        var response = await PostAsync(tokenEndpoint, [
            new("grant_type", "refresh_token"),
            new("refresh_token", tokens.RefreshToken),
            new("client_id", clientId),
        ], cancellationToken).ConfigureAwait(false);
        if (response.Status != HttpStatusCode.OK)
        {
            var (error, _) = ReadError(response.Body);
            if (error == "invalid_grant")
            {
                throw new RefreshRejectedException("The server no longer accepts the refresh token (invalid_grant).");
            }
            throw new SessionException(
                SessionErrors.FromResponse(response, $"The token endpoint refused the refresh ({(int)response.Status} {error ?? "no error code"}).",
                    tokens.RefreshToken, tokens.AccessToken));
        }
        return Parse(response.Body, startedAt, tokens, tokens.AuthorizedAt);
    }

    private Task<HttpResponse> PostAsync(Uri tokenEndpoint, IReadOnlyList<KeyValuePair<string, string>> form, CancellationToken cancellationToken) =>
        http.SendAsync(_ => new HttpRequestMessage(HttpMethod.Post, tokenEndpoint) { Content = new FormUrlEncodedContent(form) },
            tokenEndpoint, cancellationToken, throwOnError: false);

    private static OAuthTokens Parse(byte[] body, DateTimeOffset startedAt, OAuthTokens? previous, DateTimeOffset authorizedAt)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("access_token", out var access) || access.ValueKind != JsonValueKind.String
                || access.GetString() is not { Length: > 0 } accessToken)
            {
                throw Malformed("the token response has no access_token");
            }
            var refreshToken = root.TryGetProperty("refresh_token", out var refresh) && refresh.ValueKind == JsonValueKind.String
                ? refresh.GetString() ?? ""
                : "";
            if (refreshToken.Length == 0)
            {
                refreshToken = previous?.RefreshToken ?? "";
            }
            // TryGetInt64 throws on anything but a number (e.g. "expires_in": "3600"): check the kind first.
            if (!root.TryGetProperty("expires_in", out var expiresIn) || expiresIn.ValueKind != JsonValueKind.Number
                || !expiresIn.TryGetInt64(out var seconds) || seconds <= 0)
            {
                throw Malformed("the token response has no positive expires_in");
            }
            return new OAuthTokens(accessToken, refreshToken, startedAt.AddSeconds(Math.Min(seconds, 10L * 365 * 24 * 3600)), authorizedAt);
        }
        catch (JsonException e)
        {
            throw new SessionException(new SessionFailure(SessionErrorKind.MalformedResponse, "The token response is not valid JSON."), e);
        }
    }

    private static (string? Error, string? Description) ReadError(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            string? Field(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var error = Field("error");
            // Only a plain error code goes into messages: it is server-chosen text.
            return (error is { Length: <= 64 } && error.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? error : null, Field("error_description"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static SessionException Malformed(string message) => new(SessionErrorKind.MalformedResponse, message);
}
