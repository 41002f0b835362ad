using System.Net;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.Tests.TestServer;

/// <summary>The portal double driven by hand through the whole OAuth + API v3 flow.</summary>
public sealed class PortalTestServerFlowTests
{
    [Fact]
    public async Task WellKnown_Requested_ListsApi3EndpointsUnderPortalRoot()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);

        using var response = await client.Http.GetAsync(new Uri(portal.BaseUrl, ".well-known/vpn-user-portal"));
        var api = (await PortalClient.JsonAsync(response)).GetProperty("api").GetProperty("http://eduvpn.org/api#3");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(portal.BaseUrl + "vpn-user-portal/oauth/authorize", api.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(portal.BaseUrl + "vpn-user-portal/oauth/token", api.GetProperty("token_endpoint").GetString());
        Assert.Equal(portal.BaseUrl + "vpn-user-portal/api/v3", api.GetProperty("api_endpoint").GetString());
    }

    [Fact]
    public async Task FullFlow_PkceToConnectToDisconnect_Succeeds()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);

        var callback = await client.AuthorizeAsync();
        Assert.Equal(client.State, callback["state"]);
        Assert.Equal(portal.Issuer, callback["iss"]);

        using var tokenResponse = await client.ExchangeCodeAsync(callback["code"]);
        var tokens = await PortalClient.JsonAsync(tokenResponse);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        Assert.Equal("no-store", tokenResponse.Headers.CacheControl?.ToString());
        Assert.Contains("no-cache", tokenResponse.Headers.Pragma.Select(p => p.Name));
        Assert.Equal("bearer", tokens.GetProperty("token_type").GetString());
        Assert.Equal(3600, tokens.GetProperty("expires_in").GetInt32());
        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.False(string.IsNullOrEmpty(tokens.GetProperty("refresh_token").GetString()));

        using var info = await client.InfoAsync(access);
        var profiles = (await PortalClient.JsonAsync(info)).GetProperty("info").GetProperty("profile_list");
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Equal(["default", "wg-only", "ovpn-only"], profiles.EnumerateArray().Select(p => p.GetProperty("profile_id").GetString()));
        Assert.Equal("Default", profiles[0].GetProperty("display_name").GetString());

        using var wireGuard = await client.ConnectAsync(access, new Dictionary<string, string>
        {
            ["profile_id"] = "default",
            ["public_key"] = PortalClient.NewWireGuardPublicKey(),
            ["prefer_tcp"] = "no",
        }, PortalTestServer.WireGuardContentType);
        var wireGuardBody = await wireGuard.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, wireGuard.StatusCode);
        Assert.Equal(PortalTestServer.WireGuardContentType, wireGuard.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(wireGuard.Content.Headers.Expires);
        Assert.StartsWith("# Portal: " + portal.BaseUrl.AbsoluteUri + "\n# Profile: Default (default)\n# Expires: ", wireGuardBody, StringComparison.Ordinal);
        Assert.Matches(@"\[Interface\]\nAddress = 10\.43\.43\.\d+/24,fd43::[0-9a-f]+/64\nDNS = ", wireGuardBody);
        Assert.Contains("[Peer]\nPublicKey = " + portal.ServerWireGuardPublicKey, wireGuardBody, StringComparison.Ordinal);
        Assert.Contains("Endpoint = vpn.example.org:51820", wireGuardBody, StringComparison.Ordinal);

        using var openVpn = await client.ConnectAsync(access, new Dictionary<string, string>
        {
            ["profile_id"] = "default",
            ["prefer_tcp"] = "no",
        }, PortalTestServer.OpenVpnContentType);
        var openVpnBody = await openVpn.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, openVpn.StatusCode);
        Assert.Equal(PortalTestServer.OpenVpnContentType, openVpn.Content.Headers.ContentType?.MediaType);
        Assert.Contains("remote vpn.example.org 1194 udp\nremote vpn.example.org 1194 tcp", openVpnBody, StringComparison.Ordinal);
        Assert.Equal("openvpn", Assert.Single(portal.ActiveConfigurations).Protocol);

        using var disconnect = await client.DisconnectAsync(access);
        Assert.Equal(HttpStatusCode.NoContent, disconnect.StatusCode);
        Assert.Empty(portal.ActiveConfigurations);
        Assert.Equal(new PortalCounters(1, 1, 1, 0, 0, 0, 2, 1), portal.Counters);
    }

    [Fact]
    public async Task Authorize_NotLoggedIn_ShowsLoginFormWithSecureSessionCookie()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);

        using var response = await client.Http.GetAsync(client.AuthorizationUrl());
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("action=\"/vpn-user-portal/_user_pass_auth/verify\"", body, StringComparison.Ordinal);
        Assert.Contains("name=\"_user_pass_auth_redirect_to\"", body, StringComparison.Ordinal);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Matches("^SID=[A-Za-z0-9_-]+; HttpOnly; Path=/vpn-user-portal/; SameSite=Strict; Secure$", cookie);
    }

    [Fact]
    public async Task Verify_WithoutReferer_Returns400MissingReferer()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        using var browser = new TestBrowser();
        await browser.GetAsync(client.AuthorizationUrl());

        using var response = await browser.PostFormAsync(new Uri(portal.BaseUrl, PortalTestServer.VerifyPath), referer: null,
            new Dictionary<string, string>
            {
                ["userName"] = "alice",
                ["userPass"] = "alice-password",
                ["_user_pass_auth_redirect_to"] = client.AuthorizationUrl().AbsoluteUri,
            });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("missing HTTP_REFERER", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, portal.Counters.LoginsSucceeded);
    }

    [Fact]
    public async Task Login_WrongPassword_ShowsLoginFormAgain()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        using var browser = new TestBrowser();

        var error = await Assert.ThrowsAsync<TestBrowserException>(() => browser.AuthorizeAsync(client.AuthorizationUrl(), "alice", "wrong"));

        Assert.Equal(200, error.Status);
        Assert.Contains("Credentials are not valid", error.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_UserRejects_RedirectsWithAccessDenied()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);

        var callback = await client.AuthorizeAsync(approve: false);

        Assert.Equal("access_denied", callback["error"]);
        Assert.Equal(client.State, callback["state"]);
        Assert.False(callback.ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_IssDisabled_RedirectHasNoIss()
    {
        await using var portal = await PortalTestServer.StartAsync(new PortalOptions { SendIss = false });
        using var client = new PortalClient(portal);

        var callback = await client.AuthorizeAsync();

        Assert.True(callback.ContainsKey("code"));
        Assert.False(callback.ContainsKey("iss"));
    }

    [Theory]
    [InlineData("client_id", "org.example.unknown", 401, "invalid_client")]
    [InlineData("client_id", null, 400, "invalid_request")]
    [InlineData("redirect_uri", "http://localhost:43210/callback", 401, "invalid_client")]
    [InlineData("redirect_uri", "http://127.0.0.1:80/callback", 401, "invalid_client")]
    [InlineData("redirect_uri", "http://127.0.0.1/callback", 401, "invalid_client")]
    [InlineData("redirect_uri", "http://127.0.0.1:43210/other", 401, "invalid_client")]
    [InlineData("redirect_uri", "https://127.0.0.1:43210/callback", 401, "invalid_client")]
    [InlineData("code_challenge_method", null, 400, "invalid_request")]
    [InlineData("code_challenge_method", "plain", 400, "invalid_request")]
    [InlineData("state", null, 400, "invalid_request")]
    [InlineData("scope", null, 400, "invalid_request")]
    public async Task Authorize_InvalidRequest_ShowsErrorPageWithoutRedirect(string parameter, string? value, int status, string error)
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);

        using var response = await client.Http.GetAsync(client.AuthorizationUrl(new Dictionary<string, string?> { [parameter] = value }));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ERROR: " + error, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("com.example.vpn", "http://127.0.0.1:41000/oauth/cb", 200)]
    [InlineData("com.example.vpn", "http://[::1]:50123/cb", 200)]
    [InlineData("com.example.vpn", "http://[::1]:1023/cb", 401)]
    [InlineData("com.example.vpn", "http://127.0.0.1:41001/oauth/cb", 401)]
    [InlineData("com.example.vpn", "http://127.0.0.1:43210/callback", 401)]
    [InlineData("org.eduvpn.app.linux", "http://127.0.0.1:41000/oauth/cb", 401)]
    [InlineData("com.example.other", "http://127.0.0.1:41000/oauth/cb", 401)]
    public async Task Authorize_RegisteredClient_OnlyItsOwnRedirectUris(string clientId, string redirectUri, int status)
    {
        await using var portal = await PortalTestServer.StartAsync(new PortalOptions
        {
            RegisteredClients = [new RegisteredClient("com.example.vpn", ["http://127.0.0.1:41000/oauth/cb", "http://[::1]:{PORT}/cb"])],
        });
        using var client = new PortalClient(portal);

        using var response = await client.Http.GetAsync(client.AuthorizationUrl(new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
        }));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Null(response.Headers.Location);
        if (status == 401)
        {
            Assert.Contains("ERROR: invalid_client", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Authorize_Ipv6LoopbackRedirect_Accepted()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);

        using var response = await client.Http.GetAsync(client.AuthorizationUrl(new Dictionary<string, string?> { ["redirect_uri"] = "http://[::1]:43210/callback" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CodeExchange_WrongVerifier_InvalidGrant()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        var callback = await client.AuthorizeAsync();

        using var response = await client.ExchangeCodeAsync(callback["code"], verifier: new string('a', 43));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", (await PortalClient.JsonAsync(response)).GetProperty("error").GetString());
        Assert.Equal(0, portal.ActiveAuthorizationCount);
    }

    [Fact]
    public async Task CodeExchange_Replayed_InvalidGrantAndFirstTokensRevoked()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        var callback = await client.AuthorizeAsync();
        using var first = await client.ExchangeCodeAsync(callback["code"]);
        var access = (await PortalClient.JsonAsync(first)).GetProperty("access_token").GetString()!;

        using var replay = await client.ExchangeCodeAsync(callback["code"]);
        using var info = await client.InfoAsync(access);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("invalid_grant", (await PortalClient.JsonAsync(replay)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, info.StatusCode);
    }

    [Fact]
    public async Task Refresh_ValidToken_ReturnsNewAccessAndRefreshToken()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        var (access, refresh) = await client.LoginAsync();

        using var response = await client.RefreshAsync(refresh);
        var json = await PortalClient.JsonAsync(response);
        var newAccess = json.GetProperty("access_token").GetString()!;
        using var info = await client.InfoAsync(newAccess);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.NotEqual(access, newAccess);
        Assert.NotEqual(refresh, json.GetProperty("refresh_token").GetString());
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
    }

    [Fact]
    public async Task Refresh_Replayed_InvalidGrantAndLaterApiCallsUnauthorized()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        var (_, refresh) = await client.LoginAsync();
        using var first = await client.RefreshAsync(refresh);
        var newAccess = (await PortalClient.JsonAsync(first)).GetProperty("access_token").GetString()!;

        using var replay = await client.RefreshAsync(refresh);
        using var info = await client.InfoAsync(newAccess);
        var infoJson = await PortalClient.JsonAsync(info);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await PortalClient.JsonAsync(replay)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, info.StatusCode);
        Assert.Equal("invalid_token", infoJson.GetProperty("error").GetString());
        Assert.Contains("no longer exists", infoJson.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Bearer realm=\"OAuth\",error=\"invalid_token\"", Assert.Single(info.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task Refresh_OldServerStyle_OmitsRefreshTokenAndOldOneStaysUsable()
    {
        await using var portal = await PortalTestServer.StartAsync(new PortalOptions { RefreshIssuesNewRefreshToken = false });
        using var client = new PortalClient(portal);
        var (_, refresh) = await client.LoginAsync();

        using var first = await client.RefreshAsync(refresh);
        using var second = await client.RefreshAsync(refresh);

        Assert.False((await PortalClient.JsonAsync(first)).TryGetProperty("refresh_token", out _));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task ExpireAccessTokens_ThenApiCall_AccessTokenExpiredUntilRefreshed()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        var (access, refresh) = await client.LoginAsync();

        portal.ExpireAccessTokens();
        using var expired = await client.InfoAsync(access);
        using var refreshed = await client.RefreshAsync(refresh);
        using var info = await client.InfoAsync((await PortalClient.JsonAsync(refreshed)).GetProperty("access_token").GetString()!);

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("\"access_token\" expired", (await PortalClient.JsonAsync(expired)).GetProperty("error_description").GetString());
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
    }

    [Fact]
    public async Task Info_WithoutToken_Returns401NoToken()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);

        using var response = await client.Http.GetAsync(portal.ApiEndpoint + "/info");
        var json = await PortalClient.JsonAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("no token", json.GetProperty("error_description").GetString());
        Assert.Equal(1, portal.Counters.BearerRejections);
    }

    [Fact]
    public async Task AuthorizationExpiry_DrivesExpiresHeaderAndEndsTheSession()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var portal = await PortalTestServer.StartAsync(new PortalOptions { AuthorizationLifetime = TimeSpan.FromDays(1) }, clock);
        using var client = new PortalClient(portal);
        var tokens = portal.IssueTokens("alice", PortalClient.ClientId);

        using var connect = await client.ConnectAsync(tokens.AccessToken, new Dictionary<string, string> { ["profile_id"] = "ovpn-only" });
        var body = await connect.Content.ReadAsStringAsync();
        clock.Advance(TimeSpan.FromDays(1));
        using var refresh = await client.RefreshAsync(tokens.RefreshToken);

        Assert.Equal("Mon, 02 Mar 2026 12:00:00 GMT", connect.Content.Headers.GetValues("Expires").Single());
        Assert.Contains("# Expires: 2026-03-02T12:00:00+00:00\n", body, StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero), tokens.AuthorizationExpiresAt);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Equal("invalid_grant", (await PortalClient.JsonAsync(refresh)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task RequestLog_RecordsNamesButNoSecretValues()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        var (access, refresh) = await client.LoginAsync();
        using var _ = await client.InfoAsync(access);

        var log = portal.Requests;
        var token = Assert.Single(log, r => r.Path == PortalTestServer.TokenPath);
        var info = Assert.Single(log, r => r.Path == PortalTestServer.InfoPath);
        var verify = Assert.Single(log, r => r.Path == PortalTestServer.VerifyPath);

        Assert.Contains("code_verifier", token.FormKeys);
        Assert.Equal(200, token.Status);
        Assert.Equal("Bearer", info.AuthorizationScheme);
        Assert.True(verify.HasReferer);
        Assert.Equal(302, verify.Status);
        var everything = string.Join("\n", log.Select(r => r + string.Join(",", r.FormKeys) + string.Join(",", r.QueryKeys)));
        Assert.DoesNotContain(access, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(refresh, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("alice-password", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeAll_ThenApiCall_Unauthorized()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        var tokens = portal.IssueTokens("bob");

        portal.RevokeAll();
        using var info = await client.InfoAsync(tokens.AccessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, info.StatusCode);
        Assert.Equal(0, portal.ActiveAuthorizationCount);
    }

    [Fact]
    public async Task FailNext_InjectsStatusOnceThenRecovers()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        var tokens = portal.IssueTokens("alice");

        portal.FailNext(PortalTestServer.InfoPath, 502);
        using var failed = await client.InfoAsync(tokens.AccessToken);
        using var recovered = await client.InfoAsync(tokens.AccessToken);

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal([502, 200], portal.RequestsTo(PortalTestServer.InfoPath).Select(r => r.Status));
    }

    [Fact]
    public async Task Intercept_HandlesRequest_PortalLogicSkipped()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        portal.Intercept = async context =>
        {
            if (context.Request.Path != PortalTestServer.WellKnownPath)
            {
                return false;
            }
            context.Response.StatusCode = 418;
            await context.Response.WriteAsync("teapot");
            return true;
        };

        using var wellKnown = await client.Http.GetAsync(portal.WellKnownUrl);
        using var info = await client.InfoAsync("nonsense");

        Assert.Equal(418, (int)wellKnown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, info.StatusCode);
        Assert.Equal(418, portal.RequestsTo(PortalTestServer.WellKnownPath).Single().Status);
    }
}
