using System.Net;
using System.Web;
using EduVpnActors.Messages.Sessions;
using EduVpnActors.Tests.Support;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.Sessions;

/// <summary>
/// A self-registered client (not one of the official IDs) end to end against the portal double, which
/// accepts it only with the redirect URI registered for it (vpn-user-portal's <c>oauth_client_db.json</c>).
/// </summary>
public sealed class SelfRegisteredClientTests() : SessionTestKit("self-registered-client-tests")
{
    private const string ClientId = "com.example.vpn.desktop";
    private const string Path = "/oauth/cb";

    [Fact]
    public async Task FixedLoopbackRedirect_AsRegistered_AuthorizesAndCallsTheApi()
    {
        var port = Loopback.FreeIpv4Port();
        var registered = $"http://127.0.0.1:{port}{Path}";
        var portal = await StartPortalAsync(new PortalOptions { RegisteredClients = [new RegisteredClient(ClientId, [registered])] });
        Settings = Settings with { ClientId = ClientId, CallbackPort = port, CallbackPath = Path };
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", Interactive: true)), probe);
        var ready = await probe.ExpectMsgAsync<AuthorizationUrlReady>(Wait);
        var query = HttpUtility.ParseQueryString(ready.Url.Query);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal(registered, query["redirect_uri"]);
        var callback = await NewBrowser().AuthorizeAsync(ready.Url, "alice", "alice-password");
        Assert.Equal(registered, callback.GetLeftPart(UriPartial.Path));
        using var page = await NewBrowser().FollowAsync(callback);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        await probe.ExpectMsgAsync<SessionAuthorized>(Wait);

        sessions.Tell(Envelope(portal, Info(portal, interactive: false)), probe);
        await probe.ExpectMsgAsync<InfoFetched>(Wait);
        Assert.Equal(1, portal.Counters.CodeExchanges);
    }

    [Fact]
    public async Task OfficialStyleRedirect_NotRegisteredForTheClient_IsRefusedByThePortal()
    {
        var portal = await StartPortalAsync(new PortalOptions
        {
            RegisteredClients = [new RegisteredClient(ClientId, [$"http://127.0.0.1:{Loopback.FreeIpv4Port()}{Path}"])],
        });
        // The default redirect (ephemeral port, /callback) is what the official apps may use, not this client.
        Settings = Settings with { ClientId = ClientId };
        var sessions = StartSessions();
        var probe = CreateTestProbe();

        sessions.Tell(Envelope(portal, new EnsureAuthorized("a", Interactive: true)), probe);
        var ready = await probe.ExpectMsgAsync<AuthorizationUrlReady>(Wait);
        var refused = await Assert.ThrowsAsync<TestBrowserException>(() => NewBrowser().AuthorizeAsync(ready.Url, "alice", "alice-password"));

        Assert.Equal(401, refused.Status);
        Assert.Contains("invalid_client", refused.Body, StringComparison.Ordinal);
        sessions.Tell(Envelope(portal, new CancelAuthorization("a")), probe);
        Assert.Equal(SessionErrorKind.Cancelled, (await ExpectFailureAsync(probe, "a")).Kind);
        Assert.Empty(portal.RequestsTo(PortalTestServer.TokenPath));
    }
}
