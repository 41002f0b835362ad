using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.TestServer;

/// <summary>The browser pages (login, approve) and the OAuth token endpoint.</summary>
public sealed partial class PortalTestServer
{
    private const string SessionCookie = "SID";

    private readonly Dictionary<string, string?> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CodeGrant> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Authorization> _authorizations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccessToken> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshToken> _refreshTokens = new(StringComparer.Ordinal);
    private int _loginsSucceeded;
    private int _codesIssued;
    private int _codeExchanges;
    private int _refreshes;
    private int _invalidGrants;

    /// <summary>Every access and refresh token issued so far (secrets tests search logs and files for them).</summary>
    public IReadOnlyList<string> IssuedTokens
    {
        get
        {
            lock (_gate)
            {
                return [.. _accessTokens.Keys, .. _refreshTokens.Keys];
            }
        }
    }

    /// <summary>Makes every access token issued so far expired (refresh tokens stay valid).</summary>
    public void ExpireAccessTokens()
    {
        lock (_gate)
        {
            var past = _time.GetUtcNow().AddSeconds(-1);
            foreach (var token in _accessTokens.Values)
            {
                token.ExpiresAt = past;
            }
        }
    }

    /// <summary>Revokes every authorization: API calls get 401, refreshes <c>invalid_grant</c>.</summary>
    public void RevokeAll() => Revoke(_ => true);

    /// <summary>Revokes the authorizations of one user.</summary>
    public void RevokeUser(string userName) => Revoke(a => a.UserName == userName);

    /// <summary>Logs every browser session out (the next authorize shows the login form again).</summary>
    public void LogoutAll()
    {
        lock (_gate)
        {
            foreach (var sid in _sessions.Keys.ToList())
            {
                _sessions[sid] = null;
            }
        }
    }

    /// <summary>
    /// Issues tokens for a new authorization without the browser flow (a shortcut for tests that
    /// only need a working API session).
    /// </summary>
    public PortalTokens IssueTokens(string userName, string clientId = "org.eduvpn.app.linux")
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var authorization = new Authorization(NewSecret(16), userName, clientId, now + _options.AuthorizationLifetime);
            _authorizations[authorization.Id] = authorization;
            var (access, refresh, accessExpiry) = IssueTokenPairLocked(authorization, now, withRefresh: true);
            return new PortalTokens(access, refresh!, accessExpiry, authorization.ExpiresAt);
        }
    }

    /// <summary>How many authorizations are live (issued, not revoked, not expired).</summary>
    public int ActiveAuthorizationCount
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                return _authorizations.Values.Count(a => !a.Revoked && a.ExpiresAt > now);
            }
        }
    }

    private void Revoke(Func<Authorization, bool> which)
    {
        lock (_gate)
        {
            foreach (var authorization in _authorizations.Values.Where(which))
            {
                RevokeLocked(authorization);
            }
        }
    }

    private void RevokeLocked(Authorization authorization)
    {
        authorization.Revoked = true;
        _configurations.RemoveAll(c => c.AuthorizationId == authorization.Id);
    }

    private async Task AuthorizeAsync(HttpContext context)
    {
        var isPost = HttpMethods.IsPost(context.Request.Method);
        if (!isPost && !HttpMethods.IsGet(context.Request.Method))
        {
            await WriteHtmlAsync(context, StatusCodes.Status405MethodNotAllowed, ErrorPage(405, "method not allowed")).ConfigureAwait(false);
            return;
        }
        if (isPost && CsrfError(context) is { } csrf)
        {
            await WriteHtmlAsync(context, StatusCodes.Status400BadRequest, ErrorPage(400, csrf)).ConfigureAwait(false);
            return;
        }
        var query = context.Request.Query;
        if (ValidateAuthorizeRequest(query) is { } error)
        {
            await WriteHtmlAsync(context, error.Status, ErrorPage(error.Status, error.Message)).ConfigureAwait(false);
            return;
        }
        var (_, userName) = Session(context);
        var authorizeUrl = AuthorizationEndpoint.GetLeftPart(UriPartial.Path) + context.Request.QueryString.Value;
        if (userName is null)
        {
            await WriteHtmlAsync(context, StatusCodes.Status200OK, LoginPage(authorizeUrl, null)).ConfigureAwait(false);
            return;
        }
        if (!isPost)
        {
            await WriteHtmlAsync(context, StatusCodes.Status200OK, ApprovePage(authorizeUrl, query["client_id"]!)).ConfigureAwait(false);
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var redirectUri = query["redirect_uri"].ToString();
        var parameters = new List<KeyValuePair<string, string>>();
        if (form["approve"] == "yes")
        {
            var code = NewSecret();
            lock (_gate)
            {
                _codes[code] = new CodeGrant(
                    userName,
                    query["client_id"]!,
                    redirectUri,
                    query["code_challenge"]!,
                    _time.GetUtcNow() + _options.AuthorizationCodeLifetime);
                _codesIssued++;
            }
            parameters.Add(new("code", code));
        }
        else
        {
            parameters.Add(new("error", "access_denied"));
        }
        parameters.Add(new("state", query["state"]!));
        if (Options.SendIss)
        {
            parameters.Add(new("iss", Issuer));
        }
        var separator = redirectUri.Contains('?') ? '&' : '?';
        var location = redirectUri + separator + string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location;
    }

    private async Task VerifyAsync(HttpContext context)
    {
        if (CsrfError(context) is { } csrf)
        {
            await WriteHtmlAsync(context, StatusCodes.Status400BadRequest, ErrorPage(400, csrf)).ConfigureAwait(false);
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var redirectTo = form["_user_pass_auth_redirect_to"].ToString();
        if (!redirectTo.StartsWith(BaseUrl.AbsoluteUri, StringComparison.Ordinal))
        {
            await WriteHtmlAsync(context, StatusCodes.Status400BadRequest, ErrorPage(400, "invalid redirect_to URL")).ConfigureAwait(false);
            return;
        }
        var (sid, _) = Session(context);
        var userName = form["userName"].ToString();
        var password = form["userPass"].ToString();
        var valid = Options.Users.Any(u => u.UserName == userName && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(u.Password), Encoding.UTF8.GetBytes(password)));
        if (!valid)
        {
            await WriteHtmlAsync(context, StatusCodes.Status200OK, LoginPage(redirectTo, "Credentials are not valid.")).ConfigureAwait(false);
            return;
        }
        lock (_gate)
        {
            _sessions[sid] = userName;
            _loginsSucceeded++;
        }
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = redirectTo;
    }

    private async Task TokenAsync(HttpContext context)
    {
        NoStore(context);
        if (!context.Request.HasFormContentType)
        {
            await TokenErrorAsync(context, 400, "invalid_request", "invalid content type").ConfigureAwait(false);
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var clientId = form["client_id"].ToString();
        if (clientId.Length == 0)
        {
            await TokenErrorAsync(context, 400, "invalid_request", "missing \"client_id\" parameter").ConfigureAwait(false);
            return;
        }
        if (!IsKnownClient(clientId))
        {
            await TokenErrorAsync(context, 401, "invalid_client", "client does not exist with this \"client_id\"").ConfigureAwait(false);
            return;
        }
        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                await CodeGrantAsync(context, form, clientId).ConfigureAwait(false);
                break;
            case "refresh_token":
                await RefreshGrantAsync(context, form, clientId).ConfigureAwait(false);
                break;
            case "":
                await TokenErrorAsync(context, 400, "invalid_request", "missing \"grant_type\" parameter").ConfigureAwait(false);
                break;
            default:
                await TokenErrorAsync(context, 400, "unsupported_grant_type", "invalid \"grant_type\"").ConfigureAwait(false);
                break;
        }
    }

    private async Task CodeGrantAsync(HttpContext context, IFormCollection form, string clientId)
    {
        var code = form["code"].ToString();
        var verifier = form["code_verifier"].ToString();
        var redirectUri = form["redirect_uri"].ToString();
        if (code.Length == 0 || verifier.Length == 0 || redirectUri.Length == 0)
        {
            await TokenErrorAsync(context, 400, "invalid_request", "missing parameter").ConfigureAwait(false);
            return;
        }
        string? failure;
        Dictionary<string, object?>? answer = null;
        lock (_gate)
        {
            failure = ExchangeCodeLocked(code, verifier, redirectUri, clientId, out var tokens);
            if (tokens is { } t)
            {
                answer = TokenAnswer(t.Access, t.Refresh);
            }
        }
        if (failure is not null)
        {
            await TokenErrorAsync(context, 400, "invalid_grant", failure).ConfigureAwait(false);
            return;
        }
        await WriteJsonAsync(context, StatusCodes.Status200OK, answer!).ConfigureAwait(false);
    }

    private string? ExchangeCodeLocked(string code, string verifier, string redirectUri, string clientId, out (string Access, string? Refresh)? tokens)
    {
        tokens = null;
        var now = _time.GetUtcNow();
        if (!_codes.TryGetValue(code, out var grant))
        {
            _invalidGrants++;
            return "invalid \"code\"";
        }
        if (grant.AuthorizationId is { } usedBy)
        {
            // A replayed code revokes what it produced (RFC 6749 §4.1.2).
            _invalidGrants++;
            if (_authorizations.TryGetValue(usedBy, out var produced))
            {
                RevokeLocked(produced);
            }
            return "\"authorization_code\" was used before";
        }
        if (grant.ExpiresAt <= now)
        {
            _invalidGrants++;
            return "\"authorization_code\" expired";
        }
        if (grant.ClientId != clientId || grant.RedirectUri != redirectUri)
        {
            _invalidGrants++;
            return "unexpected \"client_id\" or \"redirect_uri\"";
        }
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(challenge), Encoding.ASCII.GetBytes(grant.CodeChallenge)))
        {
            _invalidGrants++;
            return "invalid \"code_verifier\"";
        }
        var authorization = new Authorization(NewSecret(16), grant.UserName, clientId, now + _options.AuthorizationLifetime);
        _authorizations[authorization.Id] = authorization;
        grant.AuthorizationId = authorization.Id;
        _codeExchanges++;
        var (access, refresh, _) = IssueTokenPairLocked(authorization, now, withRefresh: true);
        tokens = (access, refresh);
        return null;
    }

    private async Task RefreshGrantAsync(HttpContext context, IFormCollection form, string clientId)
    {
        var refreshToken = form["refresh_token"].ToString();
        if (refreshToken.Length == 0)
        {
            await TokenErrorAsync(context, 400, "invalid_request", "missing \"refresh_token\" parameter").ConfigureAwait(false);
            return;
        }
        string? failure = null;
        Dictionary<string, object?>? answer = null;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (!_refreshTokens.TryGetValue(refreshToken, out var token) || !_authorizations.TryGetValue(token.AuthorizationId, out var authorization))
            {
                failure = "invalid \"refresh_token\"";
            }
            else if (token.Used)
            {
                // Single use: a replay means the token leaked, so the whole authorization goes.
                RevokeLocked(authorization);
                failure = "\"refresh_token\" was used before";
            }
            else if (authorization.Revoked || authorization.ExpiresAt <= now || authorization.ClientId != clientId)
            {
                failure = $"authorization for client \"{authorization.ClientId}\" with scope \"config\" no longer exists";
            }
            else
            {
                var issueRefresh = _options.RefreshIssuesNewRefreshToken;
                token.Used = issueRefresh;
                var (access, refresh, _) = IssueTokenPairLocked(authorization, now, issueRefresh);
                _refreshes++;
                answer = TokenAnswer(access, refresh);
            }
            if (failure is not null)
            {
                _invalidGrants++;
            }
        }
        if (failure is not null)
        {
            await TokenErrorAsync(context, 400, "invalid_grant", failure).ConfigureAwait(false);
            return;
        }
        await WriteJsonAsync(context, StatusCodes.Status200OK, answer!).ConfigureAwait(false);
    }

    private (string Access, string? Refresh, DateTimeOffset AccessExpiresAt) IssueTokenPairLocked(Authorization authorization, DateTimeOffset now, bool withRefresh)
    {
        var access = NewSecret();
        var expiresAt = now + _options.AccessTokenLifetime;
        _accessTokens[access] = new AccessToken(authorization.Id) { ExpiresAt = expiresAt };
        string? refresh = null;
        if (withRefresh)
        {
            refresh = NewSecret();
            _refreshTokens[refresh] = new RefreshToken(authorization.Id);
        }
        return (access, refresh, expiresAt);
    }

    private Dictionary<string, object?> TokenAnswer(string access, string? refresh)
    {
        var answer = new Dictionary<string, object?>
        {
            ["access_token"] = access,
            ["token_type"] = "bearer",
            ["expires_in"] = (long)_options.AccessTokenLifetime.TotalSeconds,
        };
        if (refresh is not null)
        {
            answer["refresh_token"] = refresh;
        }
        return answer;
    }

    private static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }

    private static Task TokenErrorAsync(HttpContext context, int status, string error, string description) =>
        WriteJsonAsync(context, status, new Dictionary<string, object?> { ["error"] = error, ["error_description"] = description });

    /// <summary>Validates the authorize query in the real server's order; null when acceptable.</summary>
    private (int Status, string Message)? ValidateAuthorizeRequest(IQueryCollection query)
    {
        static (int, string) Missing(string name) => (400, $"invalid_request (missing \"{name}\" parameter)");
        var clientId = query["client_id"].ToString();
        if (clientId.Length == 0)
        {
            return Missing("client_id");
        }
        if (!IsKnownClient(clientId))
        {
            return (401, "invalid_client (client does not exist with this \"client_id\")");
        }
        var redirectUri = query["redirect_uri"].ToString();
        if (redirectUri.Length == 0)
        {
            return Missing("redirect_uri");
        }
        if (!IsAllowedRedirectUri(clientId, redirectUri))
        {
            return (401, "invalid_client (client does not support this \"redirect_uri\")");
        }
        foreach (var name in new[] { "response_type", "scope", "state", "code_challenge_method", "code_challenge" })
        {
            if (query[name].ToString().Length == 0)
            {
                return Missing(name);
            }
        }
        if (query["response_type"] != "code")
        {
            return (400, "unsupported_response_type (invalid \"response_type\")");
        }
        if (query["scope"] != "config")
        {
            return (400, "invalid_scope (invalid \"scope\")");
        }
        if (query["code_challenge_method"] != "S256")
        {
            return (400, "invalid_request (invalid \"code_challenge_method\")");
        }
        if (!CodeChallengeSyntax().IsMatch(query["code_challenge"].ToString()))
        {
            return (400, "invalid_request (invalid \"code_challenge\")");
        }
        return null;
    }

    private bool IsKnownClient(string clientId) =>
        Options.ClientIds.Contains(clientId) || Options.RegisteredClients.Any(c => c.ClientId == clientId);

    /// <summary>
    /// A registered client: one of its own URIs. An official one: loopback
    /// <c>http://127.0.0.1:{port ≥ 1024}/callback</c> or <c>[::1]</c> (never <c>localhost</c>), or an extra exact URI.
    /// </summary>
    private bool IsAllowedRedirectUri(string clientId, string redirectUri)
    {
        if (Options.RegisteredClients.FirstOrDefault(c => c.ClientId == clientId) is { } registered)
        {
            return registered.RedirectUris.Any(r => r == redirectUri
                || (r.Contains("{PORT}", StringComparison.Ordinal) && LoopbackPortOf(redirectUri) is { } port
                    && r.Replace("{PORT}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) == redirectUri));
        }
        if (Options.ExtraRedirectUris.Contains(redirectUri))
        {
            return true;
        }
        return LoopbackPortOf(redirectUri) is { } loopbackPort && redirectUri == $"http://{new Uri(redirectUri).Host}:{loopbackPort}/callback";
    }

    /// <summary>The port of a plain-http loopback IP URI without query or fragment, port ≥ 1024 and spelled out; else null.</summary>
    private static int? LoopbackPortOf(string redirectUri) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri) && uri.Scheme == "http" && !uri.IsDefaultPort && uri.Port >= 1024
            && (uri.Host is "127.0.0.1" or "[::1]") && uri.Query.Length == 0 && uri.Fragment.Length == 0
            ? uri.Port
            : null;

    /// <summary>The portal's CSRF hook: every browser POST needs a same-origin <c>Referer</c>.</summary>
    private string? CsrfError(HttpContext context)
    {
        var referer = context.Request.Headers.Referer.ToString();
        if (referer.Length == 0)
        {
            return "missing HTTP_REFERER";
        }
        return referer.StartsWith(BaseUrl.AbsoluteUri, StringComparison.Ordinal) ? null : "HTTP_REFERER has unexpected value";
    }

    /// <summary>The browser session, created (with its cookie) when missing.</summary>
    private (string Sid, string? UserName) Session(HttpContext context)
    {
        var sid = context.Request.Cookies[SessionCookie];
        lock (_gate)
        {
            if (sid is not null && _sessions.TryGetValue(sid, out var userName))
            {
                return (sid, userName);
            }
            sid = NewSecret(16);
            _sessions[sid] = null;
        }
        context.Response.Headers.Append("Set-Cookie", $"{SessionCookie}={sid}; HttpOnly; Path={Root}; SameSite=Strict; Secure");
        return (sid, null);
    }

    private static string LoginPage(string authorizeUrl, string? error) =>
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>VPN Portal - Sign In</title></head>
        <body>
        {(error is null ? "" : $"<p class=\"error\">{WebUtility.HtmlEncode(error)}</p>")}
        <form method="post" action="{Root}_user_pass_auth/verify">
        <input type="hidden" name="_user_pass_auth_redirect_to" value="{WebUtility.HtmlEncode(authorizeUrl)}">
        <label>Username <input type="text" name="userName" autocomplete="username" required></label>
        <label>Password <input type="password" name="userPass" autocomplete="current-password" required></label>
        <button type="submit">Sign In</button>
        </form>
        </body></html>
        """;

    private static string ApprovePage(string authorizeUrl, string clientId) =>
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>VPN Portal - Approve Application</title></head>
        <body>
        <h1>Approve Application</h1>
        <p>An application ({WebUtility.HtmlEncode(clientId)}) attempts to establish a VPN connection.</p>
        <form method="post" action="{WebUtility.HtmlEncode(authorizeUrl)}">
        <button type="submit" name="approve" value="yes">Approve</button>
        <button type="submit" name="approve" value="no">Reject</button>
        </form>
        </body></html>
        """;

    private static string ErrorPage(int status, string message) =>
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>VPN Portal - Error</title></head>
        <body><h1>Error ({status})</h1><p>ERROR: {WebUtility.HtmlEncode(message)}</p></body></html>
        """;

    [GeneratedRegex("^[A-Za-z0-9_-]{43}$")]
    private static partial Regex CodeChallengeSyntax();

    private sealed record CodeGrant(string UserName, string ClientId, string RedirectUri, string CodeChallenge, DateTimeOffset ExpiresAt)
    {
        /// <summary>Set once exchanged: codes are single use.</summary>
        public string? AuthorizationId { get; set; }
    }

    private sealed record Authorization(string Id, string UserName, string ClientId, DateTimeOffset ExpiresAt)
    {
        public bool Revoked { get; set; }
    }

    private sealed record AccessToken(string AuthorizationId)
    {
        public DateTimeOffset ExpiresAt { get; set; }
    }

    private sealed record RefreshToken(string AuthorizationId)
    {
        public bool Used { get; set; }
    }
}
