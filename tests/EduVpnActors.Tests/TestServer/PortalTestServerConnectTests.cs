using System.Net;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.TestServer;

/// <summary><c>/connect</c> of the portal double: protocol selection, errors and configuration bookkeeping.</summary>
public sealed class PortalTestServerConnectTests
{
    private const string WireGuard = PortalTestServer.WireGuardContentType;
    private const string OpenVpn = PortalTestServer.OpenVpnContentType;
    private const string WireGuardTcp = PortalTestServer.WireGuardTcpContentType;

    [Theory]
    // profile, public key?, prefer_tcp, Accept (| separated), expected content type, expected transport
    [InlineData("default", true, "no", "", OpenVpn, "openvpn+udp")]
    [InlineData("default", true, "no", WireGuard, WireGuard, "wireguard+udp")]
    [InlineData("default", true, "no", OpenVpn + "|" + WireGuard, OpenVpn, "openvpn+udp")]
    [InlineData("default", false, "yes", "", OpenVpn, "openvpn+tcp")]
    [InlineData("default", true, "no", "text/html", OpenVpn, "openvpn+udp")]
    [InlineData("wg-only", true, "no", "", WireGuard, "wireguard+udp")]
    [InlineData("wg-only", true, "yes", "", WireGuard, "wireguard+udp")]
    [InlineData("wg-tcp", true, "yes", WireGuard + "|" + WireGuardTcp, WireGuardTcp, "wireguard+tcp")]
    [InlineData("wg-tcp", true, "no", WireGuard + "|" + WireGuardTcp, WireGuard, "wireguard+udp")]
    [InlineData("wg-tcp", true, "yes", WireGuard, WireGuard, "wireguard+udp")]
    [InlineData("wg-tcp", true, "yes", "", WireGuard, "wireguard+udp")]
    [InlineData("wg-tcp", true, "no", WireGuardTcp, WireGuardTcp, "wireguard+tcp")]
    public async Task Connect_AcceptAndProfile_ServerChoosesProtocol(string profile, bool publicKey, string preferTcp, string accept, string contentType, string transport)
    {
        await using var portal = await StartAsync();
        using var client = new PortalClient(portal);
        var access = portal.IssueTokens("alice").AccessToken;

        using var response = await client.ConnectAsync(access, Form(profile, publicKey, preferTcp), Split(accept));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(transport, Assert.Single(portal.ActiveConfigurations).Transport);
        if (transport == "wireguard+tcp")
        {
            Assert.Contains("ProxyEndpoint = https://vpn.example.org/", body, StringComparison.Ordinal);
            Assert.DoesNotContain("\nEndpoint =", body, StringComparison.Ordinal);
        }
        if (transport == "openvpn+tcp")
        {
            Assert.Contains("remote vpn.example.org 1194 tcp\nremote vpn.example.org 1194 udp", body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("nope", true, "no", "", 404, "no such \"profile_id\"")]
    [InlineData("ovpn-only", true, "no", WireGuard, 406, "no common VPN protocol support between client and server profile")]
    [InlineData("wg-only", false, "no", "", 406, "no common VPN protocol support between client and server profile")]
    [InlineData("wg-only", false, "no", WireGuard, 406, "no common VPN protocol support between client and server profile")]
    [InlineData("default", true, "maybe", "", 400, "invalid \"prefer_tcp\"")]
    [InlineData("", true, "no", "", 400, "invalid \"profile_id\"")]
    public async Task Connect_BadRequest_AnswersDocumentedError(string profile, bool publicKey, string preferTcp, string accept, int status, string error)
    {
        await using var portal = await StartAsync();
        using var client = new PortalClient(portal);
        var access = portal.IssueTokens("alice").AccessToken;

        using var response = await client.ConnectAsync(access, Form(profile, publicKey, preferTcp), Split(accept));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(error, (await PortalClient.JsonAsync(response)).GetProperty("error").GetString());
        Assert.Empty(portal.ActiveConfigurations);
    }

    [Fact]
    public async Task Connect_MalformedPublicKey_Returns400()
    {
        await using var portal = await StartAsync();
        using var client = new PortalClient(portal);
        var access = portal.IssueTokens("alice").AccessToken;

        using var response = await client.ConnectAsync(access, new Dictionary<string, string> { ["profile_id"] = "wg-only", ["public_key"] = "not-a-key" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Connect_ConfigurationsDisabled_Returns403()
    {
        await using var portal = await PortalTestServer.StartAsync(new PortalOptions { MaxActiveApiConfigurations = 0 });
        using var client = new PortalClient(portal);
        var access = portal.IssueTokens("alice").AccessToken;

        using var response = await client.ConnectAsync(access, Form("default", true, "no"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, portal.Counters.ConfigurationsIssued);
    }

    [Fact]
    public async Task Connect_Again_ReplacesEarlierConfigurationOfSameAuthorizationOnly()
    {
        await using var portal = await StartAsync();
        using var client = new PortalClient(portal);
        var first = portal.IssueTokens("alice").AccessToken;
        var second = portal.IssueTokens("alice").AccessToken;

        using var a = await client.ConnectAsync(first, Form("wg-only", true, "no"));
        using var b = await client.ConnectAsync(second, Form("wg-only", true, "no"));
        var key = PortalClient.NewWireGuardPublicKey();
        using var c = await client.ConnectAsync(first, new Dictionary<string, string> { ["profile_id"] = "wg-only", ["public_key"] = key });

        var active = portal.ActiveConfigurations;
        Assert.Equal(2, active.Count);
        Assert.Equal(key, active[1].PublicKey);
        Assert.NotEqual(active[0].AuthorizationId, active[1].AuthorizationId);
        Assert.Equal(3, portal.Counters.ConfigurationsIssued);
    }

    [Fact]
    public async Task Connect_OverPerUserLimit_DropsOldestConfiguration()
    {
        await using var portal = await PortalTestServer.StartAsync(new PortalOptions { MaxActiveApiConfigurations = 2 });
        using var client = new PortalClient(portal);
        var sessions = Enumerable.Range(0, 3).Select(_ => portal.IssueTokens("alice").AccessToken).ToList();

        foreach (var access in sessions)
        {
            using var response = await client.ConnectAsync(access, Form("ovpn-only", false, "no"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["10.43.43.3", "10.43.43.4"], portal.ActiveConfigurations.Select(c => c.IpV4));
    }

    [Fact]
    public async Task Info_SplitTunnelProfile_ListsRoutingFields()
    {
        await using var portal = await StartAsync();
        using var client = new PortalClient(portal);

        using var response = await client.InfoAsync(portal.IssueTokens("alice").AccessToken);
        var profiles = (await PortalClient.JsonAsync(response)).GetProperty("info").GetProperty("profile_list");
        var wgOnly = profiles.EnumerateArray().Single(p => p.GetProperty("profile_id").GetString() == "wg-only");
        var wgTcp = profiles.EnumerateArray().Single(p => p.GetProperty("profile_id").GetString() == "wg-tcp");

        Assert.False(wgOnly.GetProperty("default_gateway").GetBoolean());
        Assert.Equal(["example.org"], wgOnly.GetProperty("dns_search_domain_list").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["wireguard"], wgOnly.GetProperty("vpn_proto_list").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["wireguard+udp", "wireguard+tcp"], wgTcp.GetProperty("vpn_proto_transport_list").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task SetProfiles_AtRunTime_ChangesInfoAndConnect()
    {
        await using var portal = await StartAsync();
        using var client = new PortalClient(portal);
        var access = portal.IssueTokens("alice").AccessToken;

        portal.SetProfiles(new PortalProfile("staff", "Staff", ["openvpn"]));
        using var info = await client.InfoAsync(access);
        using var gone = await client.ConnectAsync(access, Form("default", true, "no"));

        var profiles = (await PortalClient.JsonAsync(info)).GetProperty("info").GetProperty("profile_list");
        Assert.Equal("staff", Assert.Single(profiles.EnumerateArray()).GetProperty("profile_id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private static Task<PortalTestServer> StartAsync() =>
        PortalTestServer.StartAsync(new PortalOptions
        {
            Profiles = [PortalProfile.Default, PortalProfile.WireGuardOnly, PortalProfile.OpenVpnOnly, PortalProfile.WireGuardTcp],
        });

    private static Dictionary<string, string> Form(string profile, bool publicKey, string preferTcp)
    {
        var form = new Dictionary<string, string> { ["profile_id"] = profile, ["prefer_tcp"] = preferTcp };
        if (publicKey)
        {
            form["public_key"] = PortalClient.NewWireGuardPublicKey();
        }
        return form;
    }

    private static string[] Split(string accept) => accept.Split('|', StringSplitOptions.RemoveEmptyEntries);
}
