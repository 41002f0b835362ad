using System.Text;
using System.Web;
using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.Http;
using EduVpnActors.Messages.Errors;
using EduVpnActors.Messages.Servers;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.Tests.Sessions;

/// <summary>API calls of a server session: errors, Secure Internet, hostile servers, secrets.</summary>
public sealed class ServerSessionApiTests() : SessionTestKit("session-api-tests")
{
    [Fact]
    public async Task Connect_Forbidden_FailsWithoutRefreshOrReauthorization()
    {
        var portal = await StartPortalAsync(new PortalOptions { MaxActiveApiConfigurations = 0 });
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);

        sessions.Tell(Envelope(portal, Connect(portal, "c")), probe);

        var failure = await ExpectFailureAsync(probe, "c");
        Assert.Equal(SessionErrorKind.Forbidden, failure.Kind);
        Assert.Equal(403, failure.HttpStatus);
        Assert.Single(portal.RequestsTo(PortalTestServer.ConnectPath));
        Assert.Single(portal.RequestsTo(PortalTestServer.TokenPath));
        Assert.Equal(1, portal.Counters.CodesIssued);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Connect_Allowed_ReturnsTheRawConfigurationForConnectResponse()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);

        sessions.Tell(Envelope(portal, Connect(portal, "c")), probe);
        var config = await probe.ExpectMsgAsync<ConfigReceived>(Wait);

        Assert.Equal(PortalTestServer.OpenVpnContentType, config.ContentType);
        Assert.True(ConnectResponse.ParseExpires(config.Expires) > DateTimeOffset.UtcNow);
        Assert.StartsWith("# Portal: ", config.Body);
        var request = Assert.Single(portal.RequestsTo(PortalTestServer.ConnectPath));
        Assert.Equal(["prefer_tcp", "profile_id"], request.FormKeys.Order());
        Assert.Equal(PortalTestServer.OpenVpnContentType, request.Accept);

        sessions.Tell(Envelope(portal, new ReleaseConfig("r", portal.BaseUrl.AbsoluteUri)), probe);
        Assert.True((await probe.ExpectMsgAsync<ConfigReleased>(Wait)).Reached);
        Assert.Equal(1, portal.Counters.Disconnects);
    }

    [Fact]
    public async Task Connect_UnknownProfile_FailsNotFound()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);

        sessions.Tell(Envelope(portal, Connect(portal, "c", "nope")), probe);

        Assert.Equal(SessionErrorKind.NotFound, (await ExpectFailureAsync(probe, "c")).Kind);
    }

    [Fact]
    public async Task Release_WithoutTokens_AnswersNotReachedWithoutAsking()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new ReleaseConfig("r", portal.BaseUrl.AbsoluteUri)), probe);

        Assert.False((await probe.ExpectMsgAsync<ConfigReleased>(Wait)).Reached);
        Assert.Empty(portal.RequestsTo(PortalTestServer.AuthorizePath));
        Assert.Empty(portal.RequestsTo(PortalTestServer.DisconnectPath));
    }

    [Fact]
    public async Task SecureInternet_HomeTokenAndSkipWayf_UsedForAnotherLocationsApi()
    {
        var home = await StartPortalAsync();
        var location = await StartPortalAsync();
        string? bearerAtLocation = null;
        location.Intercept = async context =>
        {
            if (context.Request.Path != PortalTestServer.InfoPath)
            {
                return false;
            }
            // A real location shares the home server's token keys; the double only checks what arrives.
            bearerAtLocation = context.Request.Headers.Authorization.ToString();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"info":{"profile_list":[{"profile_id":"loc","display_name":"Location","vpn_proto_list":["wireguard"]}]}}""");
            return true;
        };
        const string organization = "https://idp.example.org/";
        var template = home.BaseUrl.AbsoluteUri + "wayf?return_to=@RETURN_TO@&entityID=@ORG_ID@";
        var server = new ServerId(ServerType.SecureInternet, organization);
        SessionEnvelope Si(ISessionRequest request) => new(server, home.BaseUrl.AbsoluteUri, organization, template, request);
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Si(new EnsureAuthorized("a", true)), probe);
        var ready = await probe.ExpectMsgAsync<AuthorizationUrlReady>(Wait);
        Assert.StartsWith(home.BaseUrl.AbsoluteUri + "wayf?return_to=", ready.Url.AbsoluteUri);
        var wayf = HttpUtility.ParseQueryString(ready.Url.Query);
        Assert.Equal(organization, wayf["entityID"]);
        var callback = await NewBrowser().AuthorizeAsync(new Uri(wayf["return_to"]!), "alice", "alice-password");
        using var _ = await NewBrowser().FollowAsync(callback);
        await probe.ExpectMsgAsync<SessionAuthorized>(Wait);

        sessions.Tell(Si(new FetchInfo("loc", location.BaseUrl.AbsoluteUri, Interactive: false)), probe);
        var info = await probe.ExpectMsgAsync<InfoFetched>(Wait);
        sessions.Tell(Si(new FetchInfo("home", home.BaseUrl.AbsoluteUri, Interactive: false)), probe);
        await probe.ExpectMsgAsync<InfoFetched>(Wait);

        Assert.Equal("loc", Assert.Single(info.Profiles).Id);
        Assert.Equal("Bearer " + Assert.Single(Protector.Seen).AccessToken, bearerAtLocation);
        Assert.Single(location.RequestsTo(PortalTestServer.WellKnownPath));
        Assert.Empty(location.RequestsTo(PortalTestServer.AuthorizePath));
        Assert.Empty(location.RequestsTo(PortalTestServer.TokenPath));
        Assert.Single(home.RequestsTo(PortalTestServer.InfoPath));
    }

    [Fact]
    public async Task WellKnown_RedirectToHttp_IsRefusedAsUnreachable()
    {
        var portal = await StartPortalAsync();
        portal.Intercept = context =>
        {
            if (context.Request.Path != PortalTestServer.WellKnownPath)
            {
                return Task.FromResult(false);
            }
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = $"http://127.0.0.1:{portal.BaseUrl.Port}{PortalTestServer.WellKnownPath}";
            return Task.FromResult(true);
        };
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);

        var failure = await ExpectFailureAsync(probe, "a");
        Assert.Equal(SessionErrorKind.Unreachable, failure.Kind);
        Assert.Equal(HttpErrorKind.InsecureRedirect, failure.Http);
    }

    [Fact]
    public async Task WellKnown_BodyOverTheCap_IsRefusedAsUnreachable()
    {
        var portal = await StartPortalAsync();
        using var smallCap = new EngineHttpClient(TestCertificate.TrustingPolicy() with { MaxResponseBytes = 4096 });
        portal.Intercept = async context =>
        {
            if (context.Request.Path != PortalTestServer.WellKnownPath)
            {
                return false;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"pad\":\"" + new string('x', 64 * 1024) + "\"}");
            return true;
        };
        var sessions = StartSessions(http: smallCap);
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);

        var failure = await ExpectFailureAsync(probe, "a");
        Assert.Equal(SessionErrorKind.Unreachable, failure.Kind);
        Assert.Equal(HttpErrorKind.ResponseTooLarge, failure.Http);
    }

    [Fact]
    public async Task WellKnown_HttpApiEndpoint_IsRefusedAsMalformed()
    {
        var portal = await StartPortalAsync();
        portal.Intercept = async context =>
        {
            if (context.Request.Path != PortalTestServer.WellKnownPath)
            {
                return false;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"api":{"http://eduvpn.org/api#3":{"api_endpoint":"http://x/api","authorization_endpoint":"http://x/a","token_endpoint":"http://x/t"}}}""");
            return true;
        };
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", true)), probe);

        Assert.Equal(SessionErrorKind.MalformedResponse, (await ExpectFailureAsync(probe, "a")).Kind);
    }

    [Fact]
    public async Task Tokens_AfterLoginRefreshAndErrors_AbsentFromLogsAndFromTheDatabaseFile()
    {
        var portal = await StartPortalAsync();
        var sessions = StartSessions();
        var probe = CreateTestProbe();
        await AuthorizeAsync(sessions, portal, probe);
        portal.ExpireAccessTokens();
        sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);
        await probe.ExpectMsgAsync<InfoFetched>(Wait);
        portal.FailNext(PortalTestServer.InfoPath, 500);
        sessions.Tell(Envelope(portal, Info(portal, interactive: false, id: "fails")), probe);
        var failure = await ExpectFailureAsync(probe, "fails");
        await AwaitAssertAsync(() => Assert.Contains(Logs, l => l.Contains("failed", StringComparison.Ordinal)), Wait);

        var secrets = Protector.Secrets.ToList();
        Assert.Equal(4, secrets.Count);
        var logs = string.Join('\n', Logs);
        var database = ReadDatabaseBytes();
        Assert.Contains("server-session:", database);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs);
            Assert.DoesNotContain(secret, database);
            Assert.DoesNotContain(secret, failure.ToString());
        }
    }

    private static RequestConfig Connect(PortalTestServer portal, string id, string profile = "default") =>
        new(id, portal.BaseUrl.AbsoluteUri,
            [new("profile_id", profile), new("prefer_tcp", "no")],
            [PortalTestServer.OpenVpnContentType], Interactive: false);

    private string ReadDatabaseBytes()
    {
        var text = new StringBuilder();
        foreach (var path in Directory.GetFiles(DataDir.Path, "eduvpn-actors.db*"))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            text.Append(Encoding.Latin1.GetString(copy.ToArray()));
        }
        return text.ToString();
    }
}
