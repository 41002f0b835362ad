using EduVpnActors.Actors.Api;

namespace EduVpnActors.Actors.Sessions.OAuth;

/// <summary>
/// One authorization attempt: the URL the user opens plus the secrets that stay in the engine
/// (<c>state</c>, PKCE verifier). <see cref="ToString"/> hides the secrets.
/// </summary>
public sealed record AuthorizationRequest(Uri Url, string State, string CodeVerifier, string RedirectUri, string ClientId)
{
    /// <summary>
    /// Builds the request with every parameter of client rule 7 (keys sorted, as eduvpn-common),
    /// then applies the Secure Internet Skip-WAYF template when one is given.
    /// </summary>
    public static AuthorizationRequest Create(
        Uri authorizationEndpoint,
        string clientId,
        string redirectUri,
        string? authenticationUrlTemplate = null,
        string? organizationId = null)
    {
        var state = Pkce.NewRandomValue();
        var verifier = Pkce.NewRandomValue();
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["client_id"] = clientId,
            ["code_challenge"] = Pkce.Challenge(verifier),
            ["code_challenge_method"] = "S256",
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = "config",
            ["state"] = state,
        };
        var query = string.Join('&', parameters.Select(p => $"{UrlRules.GoQueryEscape(p.Key)}={UrlRules.GoQueryEscape(p.Value)}"));
        var endpoint = authorizationEndpoint.AbsoluteUri;
        var url = endpoint + (string.IsNullOrEmpty(authorizationEndpoint.Query) ? "?" : "&") + query;
        if (!string.IsNullOrEmpty(authenticationUrlTemplate) && !string.IsNullOrEmpty(organizationId))
        {
            url = Wayf.Replace(authenticationUrlTemplate, url, organizationId);
        }
        return new AuthorizationRequest(new Uri(url), state, verifier, redirectUri, clientId);
    }

    /// <inheritdoc />
    public override string ToString() => $"AuthorizationRequest {{ RedirectUri = {RedirectUri}, ClientId = {ClientId} }}";
}
