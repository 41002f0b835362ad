using System.Net.Sockets;
using System.Text;
using Akka.Configuration;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Sessions;
using EduVpnActors.Actors.Sessions.OAuth;
using EduVpnActors.Actors.Sessions.Tokens;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Support;
using Xunit.Abstractions;

namespace EduVpnActors.Tests.Sessions;

/// <summary>The session's pure pieces: PKCE, the authorization request, callback checks, token encryption, settings.</summary>
public sealed class SessionPureTests(ITestOutputHelper output)
{
    private const string Issuer = "https://vpn.example.org/";

    // Vector computed independently: python3 base64.urlsafe_b64encode(hashlib.sha256(v).digest()).rstrip(b'=').
    [Fact]
    public void Pkce_KnownVerifier_GivesTheS256Challenge() =>
        Assert.Equal("ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc", Pkce.Challenge("dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk"));

    [Fact]
    public void Pkce_RandomValues_Are43Base64UrlCharsAndDiffer()
    {
        var a = Pkce.NewRandomValue();
        var b = Pkce.NewRandomValue();
        Assert.Equal(43, a.Length);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void AuthorizationRequest_Create_CarriesEveryRule7ParameterSorted()
    {
        var request = AuthorizationRequest.Create(new Uri("https://vpn.example.org/vpn-user-portal/oauth/authorize"), "org.eduvpn.app.linux", "http://127.0.0.1:50000/callback");

        var query = CallbackValidator.ParseQuery(request.Url.Query)!;
        Assert.Equal(["client_id", "code_challenge", "code_challenge_method", "redirect_uri", "response_type", "scope", "state"], query.Keys);
        Assert.Equal("org.eduvpn.app.linux", query["client_id"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(Pkce.Challenge(request.CodeVerifier), query["code_challenge"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("config", query["scope"]);
        Assert.Equal(request.State, query["state"]);
        Assert.Equal("http://127.0.0.1:50000/callback", query["redirect_uri"]);
        Assert.StartsWith("https://vpn.example.org/vpn-user-portal/oauth/authorize?", request.Url.AbsoluteUri);
    }

    [Fact]
    public void AuthorizationRequest_WithSkipWayfTemplate_WrapsTheUrl()
    {
        var request = AuthorizationRequest.Create(new Uri("https://home.example.org/oauth/authorize"), "org.eduvpn.app.linux", "http://127.0.0.1:50000/callback",
            "https://wayf.example.org/login?return=@RETURN_TO@&idp=@ORG_ID@", "https://idp.example.org/");

        Assert.StartsWith("https://wayf.example.org/login?return=https%3A%2F%2Fhome.example.org%2Foauth%2Fauthorize%3F", request.Url.AbsoluteUri);
        Assert.EndsWith("&idp=https%3A%2F%2Fidp.example.org%2F", request.Url.AbsoluteUri);
    }

    [Fact]
    public void AuthorizationRequest_ToString_HidesStateAndVerifier()
    {
        var request = AuthorizationRequest.Create(new Uri("https://vpn.example.org/a"), "c", "http://127.0.0.1:50000/callback");
        Assert.DoesNotContain(request.State, request.ToString());
        Assert.DoesNotContain(request.CodeVerifier, request.ToString());
    }

    [Fact]
    public void Callback_GoodCode_IsAccepted()
    {
        var outcome = CallbackValidator.Validate($"code=abc&state=s1&iss={Uri.EscapeDataString(Issuer)}", "s1", Issuer);
        Assert.Equal("abc", Assert.IsType<CallbackOutcome.Code>(outcome).Value);
        Assert.DoesNotContain("abc", outcome.ToString());
    }

    [Fact]
    public void Callback_WithoutIss_IsAccepted() =>
        Assert.IsType<CallbackOutcome.Code>(CallbackValidator.Validate("code=abc&state=s1", "s1", Issuer));

    [Theory]
    [InlineData("code=abc&state=other")]
    [InlineData("code=abc")]
    [InlineData("code=abc&state=s1&state=s1")]
    [InlineData("error=access_denied&state=other")]
    public void Callback_WrongOrMissingState_IsIgnored(string query) =>
        Assert.IsType<CallbackOutcome.Ignored>(CallbackValidator.Validate(query, "s1", Issuer));

    [Fact]
    public void Callback_NoAuthorizationWaiting_IgnoresEvenAnEmptyState() =>
        Assert.IsType<CallbackOutcome.Ignored>(CallbackValidator.Validate("code=abc&state=", "", Issuer));

    [Fact]
    public void Callback_OtherIssuer_FailsWithIssuerMismatch()
    {
        var outcome = CallbackValidator.Validate("code=abc&state=s1&iss=https%3A%2F%2Fevil.example.org%2F", "s1", Issuer);
        Assert.Equal(SessionErrorKind.IssuerMismatch, Assert.IsType<CallbackOutcome.Failed>(outcome).Failure.Kind);
    }

    [Theory]
    [InlineData("error=access_denied&state=s1", SessionErrorKind.AccessDenied)]
    [InlineData("error=server_error&error_description=boom&state=s1", SessionErrorKind.AuthorizationFailed)]
    [InlineData("state=s1", SessionErrorKind.AuthorizationFailed)]
    public void Callback_ErrorOrNoCode_FailsTyped(string query, SessionErrorKind kind) =>
        Assert.Equal(kind, Assert.IsType<CallbackOutcome.Failed>(CallbackValidator.Validate(query, "s1", Issuer)).Failure.Kind);

    [Fact]
    public void Issuer_OfAuthorizationEndpoint_IsOriginWithSlash() =>
        Assert.Equal("https://vpn.example.org:8443/", CallbackValidator.IssuerOf(new Uri("https://vpn.example.org:8443/vpn-user-portal/oauth/authorize")));

    [Fact]
    public void Protector_RoundTrip_RestoresAndHidesThePlaintext()
    {
        using var dir = new TempDataDirectory();
        var protector = AesGcmTokenProtector.FromKeyFile(Path.Combine(dir.Path, "k.key"));
        var tokens = new OAuthTokens("access-secret-1", "refresh-secret-1", DateTimeOffset.UnixEpoch.AddDays(1), DateTimeOffset.UnixEpoch);

        var blob = protector.Protect(tokens.ToBytes(), "server-session:3,https://a/");

        Assert.DoesNotContain("secret", Encoding.Latin1.GetString(blob));
        Assert.Equal(tokens, OAuthTokens.FromBytes(protector.Unprotect(blob, "server-session:3,https://a/")));
    }

    [Fact]
    public void Protector_OtherPurposeOrOtherKey_Refuses()
    {
        using var dir = new TempDataDirectory();
        var protector = AesGcmTokenProtector.FromKeyFile(Path.Combine(dir.Path, "k.key"));
        var other = AesGcmTokenProtector.FromKeyFile(Path.Combine(dir.Path, "other.key"));
        var blob = protector.Protect("x"u8, "a");

        Assert.Throws<TokenProtectionException>(() => protector.Unprotect(blob, "b"));
        Assert.Throws<TokenProtectionException>(() => other.Unprotect(blob, "a"));
        blob[^1] ^= 1;
        Assert.Throws<TokenProtectionException>(() => protector.Unprotect(blob, "a"));
    }

    [Fact]
    public void Protector_KeyFile_IsPrivateAndReused()
    {
        using var dir = new TempDataDirectory();
        var path = Path.Combine(dir.Path, "k.key");
        var blob = AesGcmTokenProtector.FromKeyFile(path).Protect("x"u8, "a");

        Assert.Equal("x"u8.ToArray(), AesGcmTokenProtector.FromKeyFile(path).Unprotect(blob, "a"));
        Assert.Equal(32, new FileInfo(path).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Tokens_ToString_HidesTheTokens()
    {
        var tokens = new OAuthTokens("access-secret-2", "refresh-secret-2", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        Assert.DoesNotContain("secret", tokens.ToString());
        Assert.DoesNotContain("secret", new SessionTokensStored([1, 2, 3], 5).ToString());
    }

    [Fact]
    public void Tokens_ExpiryMargin_CountsAsExpiredEarly()
    {
        var expiry = DateTimeOffset.UnixEpoch.AddHours(1);
        var tokens = new OAuthTokens("a", "r", expiry, DateTimeOffset.UnixEpoch);
        Assert.False(tokens.IsExpired(expiry.AddSeconds(-31), TimeSpan.FromSeconds(30)));
        Assert.True(tokens.IsExpired(expiry.AddSeconds(-29), TimeSpan.FromSeconds(30)));
        Assert.True(tokens.WithAccessExpired().IsExpired(DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Settings_Defaults_ComeFromEngineConf()
    {
        var settings = SessionSettings.FromConfig(EngineConfiguration.Defaults());
        Assert.Equal(SessionSettings.Default, settings);
    }

    [Fact]
    public void Settings_SelfRegisteredClient_IsConfigurable()
    {
        var config = ConfigurationFactory.ParseString("""
            eduvpn.client.id = "com.example.vpn"
            eduvpn.oauth { loopback-host = "::1", callback-port = 41000, callback-path = "/oauth/cb", callback-timeout = 90s }
            """).WithFallback(EngineConfiguration.Defaults());

        var settings = SessionSettings.FromConfig(config);

        Assert.Equal(new SessionSettings("com.example.vpn", "[::1]", 41000, "/oauth/cb", TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(30)), settings);
    }

    [Theory]
    [InlineData("eduvpn.oauth.loopback-host = localhost")]
    [InlineData("eduvpn.oauth.callback-port = 80")]
    [InlineData("eduvpn.oauth.callback-path = \"callback\"")]
    [InlineData("eduvpn.oauth.callback-path = \"/oauth cb\"")]
    [InlineData("eduvpn.oauth.callback-path = \"/a/../callback\"")]
    public void Settings_Invalid_AreRefused(string hocon) =>
        Assert.Throws<ConfigurationException>(() => SessionSettings.FromConfig(ConfigurationFactory.ParseString(hocon).WithFallback(EngineConfiguration.Defaults())));

    [Fact]
    public async Task Listener_WrongStateThenRightState_OnlyTheRightOneCompletes()
    {
        using var listener = LoopbackCallbackListener.Start("127.0.0.1", 0, "/callback", q => CallbackValidator.Validate(q, "good", Issuer));
        using var client = new HttpClient();
        Assert.StartsWith("http://127.0.0.1:", listener.RedirectUri);

        using var wrong = await client.GetAsync(listener.RedirectUri + "?code=x&state=bad");
        using var elsewhere = await client.GetAsync($"http://127.0.0.1:{listener.Port}/favicon.ico");
        Assert.Equal(400, (int)wrong.StatusCode);
        Assert.Equal(404, (int)elsewhere.StatusCode);
        Assert.False(listener.Result.IsCompleted);

        using var right = await client.GetAsync(listener.RedirectUri + "?code=c1&state=good");
        Assert.Equal(200, (int)right.StatusCode);
        Assert.Contains("Authorized", await right.Content.ReadAsStringAsync());
        Assert.Equal("c1", Assert.IsType<CallbackOutcome.Code>(await listener.Result).Value);
    }

    [Fact]
    public async Task Listener_IdleConnection_DoesNotBlockTheCallback()
    {
        using var listener = LoopbackCallbackListener.Start("127.0.0.1", 0, "/callback", q => CallbackValidator.Validate(q, "good", Issuer));
        using var idle = new TcpClient();
        await idle.ConnectAsync("127.0.0.1", listener.Port);
        using var client = new HttpClient();

        using var right = await client.GetAsync(listener.RedirectUri + "?code=c1&state=good");

        Assert.IsType<CallbackOutcome.Code>(await listener.Result);
    }

    [Fact]
    public async Task Listener_Disposed_CancelsAndStopsListening()
    {
        var listener = LoopbackCallbackListener.Start("127.0.0.1", 0, "/callback", q => CallbackValidator.Validate(q, "good", Issuer));
        var uri = listener.RedirectUri;
        listener.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listener.Result);
        using var client = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(uri + "?code=c1&state=good"));
    }

    [Fact]
    public async Task Listener_Ipv6WhenAsked_UsesBracketedLoopbackOrFailsLoudly()
    {
        // Probed apart from the listener, so a broken listener cannot pass as "no IPv6 here".
        if (Loopback.Ipv6Unavailable() is { } reason)
        {
            output.WriteLine($"No IPv6 loopback here ({reason}): checking that listening on [::1] fails instead of passing silently.");
            Assert.ThrowsAny<SocketException>(() => LoopbackCallbackListener.Start("[::1]", 0, "/callback", q => CallbackValidator.Validate(q, "good", Issuer)));
            return;
        }
        using var listener = LoopbackCallbackListener.Start("[::1]", 0, "/callback", q => CallbackValidator.Validate(q, "good", Issuer));
        Assert.StartsWith("http://[::1]:", listener.RedirectUri);
        using var client = new HttpClient();
        using var right = await client.GetAsync(listener.RedirectUri + "?code=c1&state=good");
        Assert.IsType<CallbackOutcome.Code>(await listener.Result);
    }

    [Theory]
    [InlineData("org.eduvpn.app.linux", "eduVPN for Linux")]
    [InlineData("org.letsconnect-vpn.app.macos", "Let's Connect! for macOS")]
    [InlineData("org.govvpn.app.windows", "govVPN for Windows")]
    [InlineData("org.eduvpn.app.ios", "eduVPN for iOS")]
    [InlineData("com.example.vpn", null)]
    [InlineData("org.eduvpn.app.beos", null)]
    public void FriendlyName_OfClientId_FollowsEduVpnCommon(string clientId, string? expected) =>
        Assert.Equal(expected, ClientIdentity.FriendlyNameOf(clientId));

    [Fact]
    public void UserAgent_FromConfig_NamesTheHostAppThenEduVpnActors()
    {
        // Issue 12 §7: "<host app name>/<version> EduVpnActors/<version>"; it used to claim eduvpn-common/2.1.0.
        var config = ConfigurationFactory.ParseString("eduvpn.client { id = \"org.letsconnect-vpn.app.linux\", version = \"1.2.3\" }")
            .WithFallback(EngineConfiguration.Defaults());
        Assert.Equal($"Let's Connect! for Linux/1.2.3 EduVpnActors/{ClientIdentity.LibraryVersion}", ClientIdentity.UserAgent(config));
        var named = ConfigurationFactory.ParseString("eduvpn.client.friendly-name = \"My VPN\"").WithFallback(config);
        Assert.Equal($"My VPN/1.2.3 EduVpnActors/{ClientIdentity.LibraryVersion}", ClientIdentity.UserAgent(named));
        Assert.Equal("0.1.0", ClientIdentity.LibraryVersion);
    }

    [Fact]
    public void UserAgent_SelfRegisteredId_LongVersion_CappedLikeEduVpnCommon()
    {
        var config = ConfigurationFactory.ParseString("eduvpn.client { id = \"com.example.vpn\", version = \"1.2.3-preview.45678901234\" }")
            .WithFallback(EngineConfiguration.Defaults());

        Assert.Equal($"com.example.vpn/1.2.3-preview.456789 EduVpnActors/{ClientIdentity.LibraryVersion}", ClientIdentity.UserAgent(config));
    }

    [Theory]
    [InlineData("eduvpn.client.friendly-name = \"My\\r\\nX-Injected: 1\"")]
    [InlineData("eduvpn.client.friendly-name = \"Mijn VPN für dich\"")]
    [InlineData("eduvpn.client.friendly-name = \"a/b\"")]
    [InlineData("eduvpn.client.version = \"1.0\\u0007\"")]
    public void UserAgent_NameOrVersionThatIsNoHeaderValue_IsAConfigurationError(string hocon) =>
        Assert.Throws<ConfigurationException>(() => ClientIdentity.UserAgent(ConfigurationFactory.ParseString(hocon).WithFallback(EngineConfiguration.Defaults())));
}
