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
    /// <param name="authorizationEndpoint">From the well-known document of the authorizing server.</param>
    /// <param name="clientId">The configured client ID.</param>
    /// <param name="redirectUri">The loopback listener's URI.</param>
    /// <param name="authenticationUrlTemplate">Secure Internet: the home server's Skip-WAYF template, if any.</param>
    /// <param name="organizationId">Secure Internet: the organization, for <c>@ORG_ID@</c>.</param>
    /// <param name="state">A state made beforehand with <see cref="Pkce.NewRandomValue"/> (e.g. for a listener started first); new when null.</param>
    public static AuthorizationRequest Create(
        Uri authorizationEndpoint,
        string clientId,
        string redirectUri,
        string? authenticationUrlTemplate = null,
        string? organizationId = null,
        string? state = null)
    {
        state ??= Pkce.NewRandomValue();
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
