using System.Net;
using EduVpnActors.TestServer;
using Microsoft.AspNetCore.Http;

namespace EduVpnActors.Tests.TestServer;

/// <summary>The scripted browser: stops at the client's redirect and follows it on request.</summary>
public sealed class TestBrowserTests
{
    [Fact]
    public async Task FollowAsync_CallbackUrl_ReachesLoopbackListenerOverPlainHttp()
    {
        string? receivedQuery = null;
        await using var callback = await ScriptedServer.StartAsync(context =>
        {
            receivedQuery = context.Request.QueryString.Value;
            return context.Response.WriteAsync("Authorized");
        }, tls: false);
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        var redirectUri = callback.Url("callback").AbsoluteUri;
        using var browser = new TestBrowser();

        var url = await browser.AuthorizeAsync(client.AuthorizationUrl(new Dictionary<string, string?> { ["redirect_uri"] = redirectUri }), "bob", "bob-password");
        Assert.Null(receivedQuery);
        using var response = await browser.FollowAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(url.Query, receivedQuery);
        Assert.Equal(client.State, PortalClient.Query(url)["state"]);
    }

    [Fact]
    public async Task AuthorizeAsync_SecondTimeInSameBrowser_SkipsLogin()
    {
        await using var portal = await PortalTestServer.StartAsync();
        using var client = new PortalClient(portal);
        using var browser = new TestBrowser();

        await browser.AuthorizeAsync(client.AuthorizationUrl(), "alice", "alice-password");
        var second = await browser.AuthorizeAsync(client.AuthorizationUrl(), "alice", "not-needed");

        Assert.True(PortalClient.Query(second).ContainsKey("code"));
        Assert.Equal(1, portal.Counters.LoginsSucceeded);
        Assert.Equal(2, portal.Counters.CodesIssued);
    }

    [Fact]
    public async Task AuthorizeAsync_ExtraRedirectUriConfigured_RedirectsToIt()
    {
        const string mobile = "org.eduvpn.app.ios:/api/callback";
        await using var portal = await PortalTestServer.StartAsync(new PortalOptions
        {
            ClientIds = ["org.eduvpn.app.ios"],
            ExtraRedirectUris = [mobile],
        });
        using var client = new PortalClient(portal);
        using var browser = new TestBrowser();

        var url = await browser.AuthorizeAsync(client.AuthorizationUrl(new Dictionary<string, string?>
        {
            ["client_id"] = "org.eduvpn.app.ios",
            ["redirect_uri"] = mobile,
        }), "alice", "alice-password");

        Assert.StartsWith(mobile + "?code=", url.OriginalString, StringComparison.Ordinal);
    }
}
