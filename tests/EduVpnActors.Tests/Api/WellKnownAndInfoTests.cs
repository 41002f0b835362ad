using System.Text;
using EduVpnActors.Actors.Api;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Tests.Api;

public sealed class WellKnownAndInfoTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string WellKnown(string api, string auth, string token) =>
        "{\"api\":{\"http://eduvpn.org/api#3\":{\"api_endpoint\":\"" + api + "\",\"authorization_endpoint\":\"" + auth
        + "\",\"token_endpoint\":\"" + token + "\"},\"http://eduvpn.org/api#2\":{\"api_endpoint\":\"https://old\"}},\"v\":\"3.4.0-1\"}";

    [Fact]
    public void WellKnown_Valid_GivesEndpointsAndVersion()
    {
        var doc = WellKnownDocument.Parse(Utf8(WellKnown(
            "https://vpn.example.org/vpn-user-portal/api/v3",
            "https://vpn.example.org/vpn-user-portal/oauth/authorize",
            "https://vpn.example.org/vpn-user-portal/oauth/token")));
        Assert.Equal("https://vpn.example.org/vpn-user-portal/api/v3", doc.ApiEndpoint.ToString());
        Assert.Equal("https://vpn.example.org/vpn-user-portal/oauth/authorize", doc.AuthorizationEndpoint.ToString());
        Assert.Equal("https://vpn.example.org/vpn-user-portal/oauth/token", doc.TokenEndpoint.ToString());
        Assert.Equal("3.4.0-1", doc.ServerVersion);
        Assert.Equal("https://vpn.example.org/vpn-user-portal/api/v3/info", doc.ApiCall("/info").ToString());
    }

    [Theory]
    [InlineData("http://a/api", "http://a/auth", "http://a/token")]
    [InlineData("https://a/api", "http://a/auth", "https://a/token")]
    [InlineData("https://a/api", "https://a/auth", "http://a/token")]
    public void WellKnown_NotHttpsOrMixedSchemes_FailsInsecure(string api, string auth, string token)
    {
        var e = Assert.Throws<ApiException>(() => WellKnownDocument.Parse(Utf8(WellKnown(api, auth, token))));
        Assert.Equal(ApiErrorKind.WellKnownInsecure, e.Kind);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"api":{"http://eduvpn.org/api#2":{"api_endpoint":"https://a"}}}""")]
    [InlineData("""{"api":{"http://eduvpn.org/api#3":{"api_endpoint":"https://a/api","authorization_endpoint":"https://a/auth"}}}""")]
    [InlineData("""{"api":{"http://eduvpn.org/api#3":{"api_endpoint":"relative","authorization_endpoint":"https://a/auth","token_endpoint":"https://a/t"}}}""")]
    public void WellKnown_Malformed_FailsInvalid(string json)
    {
        var e = Assert.Throws<ApiException>(() => WellKnownDocument.Parse(Utf8(json)));
        Assert.Equal(ApiErrorKind.WellKnownInvalid, e.Kind);
    }

    [Fact]
    public void Info_StringAndMapDisplayNames_AreParsed()
    {
        var profiles = InfoDocument.Parse(Utf8("""
            {"info":{"profile_list":[
              {"profile_id":"internet","display_name":"Internet","vpn_proto_list":["openvpn","wireguard"],
               "vpn_proto_transport_list":["wireguard+udp","openvpn+tcp"],"default_gateway":true,
               "dns_search_domain_list":["example.org"]},
              {"profile_id":"office","display_name":{"en":"Office","nl":"Kantoor"},"vpn_proto_list":["wireguard","ikev2"],
               "default_gateway":false}
            ]}}
            """));
        Assert.Equal(2, profiles.Count);
        var internet = profiles[0];
        Assert.Equal("internet", internet.Id);
        Assert.Equal(LocalizedText.English("Internet"), internet.DisplayName);
        Assert.True(internet.DefaultGateway);
        Assert.Equal([VpnProtocol.OpenVpn, VpnProtocol.WireGuard], internet.VpnProtocols);
        Assert.Equal(["wireguard+udp", "openvpn+tcp"], internet.VpnTransports);
        Assert.Equal(["example.org"], internet.DnsSearchDomains);
        var office = profiles[1];
        Assert.Equal("Kantoor", office.DisplayName.Values["nl"]);
        Assert.Equal("Office", office.DisplayName.Values["en"]);
        Assert.False(office.DefaultGateway);
        Assert.Equal([VpnProtocol.WireGuard], office.VpnProtocols);
        Assert.Empty(office.VpnTransports);
        Assert.Empty(office.DnsSearchDomains);
    }

    [Theory]
    [InlineData("""{"info":{}}""")]
    [InlineData("""{"info":{"profile_list":[]}}""")]
    [InlineData("""{"info":{"profile_list":null}}""")]
    public void Info_NoProfiles_GivesEmptyList(string json) => Assert.Empty(InfoDocument.Parse(Utf8(json)));

    [Theory]
    [InlineData("nope")]
    [InlineData("{}")]
    [InlineData("""{"info":{"profile_list":{}}}""")]
    [InlineData("""{"info":{"profile_list":[{"display_name":"x"}]}}""")]
    [InlineData("""{"info":{"profile_list":[{"profile_id":"a","display_name":5}]}}""")]
    [InlineData("""{"info":{"profile_list":[{"profile_id":"a","vpn_proto_list":"openvpn"}]}}""")]
    public void Info_Malformed_FailsInfoInvalid(string json)
    {
        var e = Assert.Throws<ApiException>(() => InfoDocument.Parse(Utf8(json)));
        Assert.Equal(ApiErrorKind.InfoInvalid, e.Kind);
    }

    [Theory]
    [InlineData(new[] { "wireguard+tcp" }, new[] { "wireguard" }, true)]
    [InlineData(new[] { "openvpn+tcp" }, new[] { "openvpn" }, true)]
    [InlineData(new[] { "wireguard+udp", "openvpn+udp" }, new[] { "openvpn", "wireguard" }, false)]
    [InlineData(new string[0], new[] { "openvpn" }, true)]
    [InlineData(new string[0], new[] { "wireguard" }, false)]
    public void Profile_SupportsTcp_FollowsTransportsElseOpenVpn(string[] transports, string[] protocols, bool expected)
    {
        var profile = new EduVpnActors.Messages.Servers.Profile(
            "p", LocalizedText.Empty, false, protocols.Select(VpnProtocolNames.Parse).ToArray(), transports, []);
        Assert.Equal(expected, profile.SupportsTcp);
    }
}
