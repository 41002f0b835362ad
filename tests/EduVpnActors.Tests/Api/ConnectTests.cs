using EduVpnActors.Actors.Api;
using EduVpnActors.Actors.WireGuard;
using EduVpnActors.Messages.Common;
using EduVpnActors.Messages.Connection;
using EduVpnActors.Messages.Servers;

namespace EduVpnActors.Tests.Api;

public sealed class ConnectTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private const string Expires = "Wed, 25 Nov 2026 16:00:00 GMT";
    private static readonly VpnProtocol[] Both = [VpnProtocol.OpenVpn, VpnProtocol.WireGuard];

    private static Profile P(string[] protocols, string[]? transports = null, bool defaultGateway = true) =>
        new("internet", LocalizedText.English("Internet"), defaultGateway, protocols.Select(VpnProtocolNames.Parse).ToArray(),
            transports ?? [], ["example.org", "example.net"]);

    private sealed class FakePorts : IFreePortAllocator
    {
        public int FreeTcpPort() => 40001;

        public int FreeUdpPort() => 40002;
    }

    private const string WireGuardBody =
        "# Portal: https://vpn.example.org/\n# Expires: 2026-11-25T16:00:00+00:00\n[Interface]\nMTU = 1392\nAddress = 10.43.43.2/24,fd43::2/64\nDNS = 9.9.9.9\n"
        + "[Peer]\nPublicKey = serverkey=\nAllowedIPs = 0.0.0.0/0,::/0\nEndpoint = vpn.example.org:51820\n";

    private const string WireGuardTcpBody =
        "[Interface]\nAddress = 10.43.43.2/24\n[Peer]\nPublicKey = serverkey=\nAllowedIPs = 0.0.0.0/0,::/0\nProxyEndpoint = https://proxyendpoint\n";

    [Fact]
    public void Build_BothProtocols_SendsAllFieldsAndAcceptsAllThreeTypesInOrder()
    {
        var request = ConnectRequest.Build(P(["openvpn", "wireguard"]), Both, preferTcp: true, "PUBKEY=");
        Assert.Equal(
            [new("profile_id", "internet"), new("public_key", "PUBKEY="), new KeyValuePair<string, string>("prefer_tcp", "yes")],
            request.Fields);
        Assert.Equal([VpnContentTypes.OpenVpn, VpnContentTypes.WireGuard, VpnContentTypes.WireGuardOverTcp], request.Accept);
        Assert.Equal("application/x-openvpn-profile, application/x-wireguard-profile, application/x-wireguard+tcp-profile", request.AcceptHeader);
    }

    [Fact]
    public void Build_PreferTcpOff_SendsNo() =>
        Assert.Contains(new KeyValuePair<string, string>("prefer_tcp", "no"), ConnectRequest.Build(P(["openvpn"]), Both, false, "K").Fields);

    [Fact]
    public void Build_PreferWireGuardWithBothInProfile_OffersOnlyWireGuard()
    {
        var request = ConnectRequest.Build(P(["openvpn", "wireguard"]), Both, false, "K", preferWireGuard: true);
        Assert.False(request.OffersOpenVpn);
        Assert.Equal([VpnContentTypes.WireGuard, VpnContentTypes.WireGuardOverTcp], request.Accept);
    }

    [Fact]
    public void Build_PreferWireGuardWithOpenVpnOnlyProfile_StillOffersOpenVpn() =>
        Assert.True(ConnectRequest.Build(P(["openvpn"]), Both, false, "K", preferWireGuard: true).OffersOpenVpn);

    [Fact]
    public void Build_OpenVpnOnlyClient_SendsNoPublicKey()
    {
        var request = ConnectRequest.Build(P(["openvpn"]), [VpnProtocol.OpenVpn], false, null);
        Assert.DoesNotContain(request.Fields, f => f.Key == "public_key");
        Assert.Equal([VpnContentTypes.OpenVpn], request.Accept);
    }

    [Fact]
    public void Build_NoProtocols_FailsTyped() =>
        Assert.Equal(ApiErrorKind.NoProtocols, Assert.Throws<ApiException>(() => ConnectRequest.Build(P(["openvpn"]), [], false, "K")).Kind);

    [Theory]
    [InlineData(VpnProtocol.Unknown)]
    [InlineData(VpnProtocol.WireGuardProxy)]
    public void Build_UnknownProtocol_FailsTyped(VpnProtocol protocol) =>
        Assert.Equal(ApiErrorKind.UnknownProtocol, Assert.Throws<ApiException>(() => ConnectRequest.Build(P(["openvpn"]), [protocol], false, "K")).Kind);

    [Fact]
    public void Process_OpenVpn_AppendsScriptSecurityAndCopiesProfileFields()
    {
        var request = ConnectRequest.Build(P(["openvpn"], ["openvpn+udp", "openvpn+tcp"]), Both, false, "K");
        var config = ConnectResponse.Process(request, "application/x-openvpn-profile", Expires, "openvpnconfig", WireGuardKeys.Generate().PrivateKey, new FakePorts(), Now);
        Assert.Equal("openvpnconfig\nscript-security 0", config.Config);
        Assert.Equal(VpnProtocol.OpenVpn, config.Protocol);
        Assert.True(config.DefaultGateway);
        Assert.Equal(["example.org", "example.net"], config.DnsSearchDomains);
        Assert.True(config.ShouldFailover);
        Assert.Null(config.Proxy);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 16, 0, 0, TimeSpan.Zero), config.Expires);
    }

    [Theory]
    [InlineData(new[] { "wireguard+tcp" }, false, true)]
    [InlineData(new[] { "wireguard+tcp" }, true, false)]
    [InlineData(new[] { "wireguard+udp" }, false, false)]
    [InlineData(new string[0], false, true)] // old server: OpenVPN in the profile means TCP is possible
    public void Process_ShouldFailover_IsTcpSupportAndNotPreferTcp(string[] transports, bool preferTcp, bool expected)
    {
        var keys = WireGuardKeys.Generate();
        var request = ConnectRequest.Build(P(["openvpn", "wireguard"], transports), Both, preferTcp, keys.PublicKey);
        var config = ConnectResponse.Process(request, VpnContentTypes.WireGuard, Expires, WireGuardBody, keys.PrivateKey, new FakePorts(), Now);
        Assert.Equal(expected, config.ShouldFailover);
    }

    [Fact]
    public void Process_WireGuard_InsertsPrivateKeyAtEndOfInterface()
    {
        var keys = WireGuardKeys.Generate();
        var request = ConnectRequest.Build(P(["wireguard"], ["wireguard+udp"], defaultGateway: false), Both, false, keys.PublicKey);
        var config = ConnectResponse.Process(request, "application/x-wireguard-profile", Expires, WireGuardBody, keys.PrivateKey, new FakePorts(), Now);
        Assert.Equal(VpnProtocol.WireGuard, config.Protocol);
        Assert.False(config.DefaultGateway);
        Assert.Null(config.Proxy);
        Assert.Equal(
            "[Interface]\nMTU = 1392\nAddress = 10.43.43.2/24,fd43::2/64\nDNS = 9.9.9.9\nPrivateKey = " + keys.PrivateKey.ToBase64() + "\n"
            + "[Peer]\nPublicKey = serverkey=\nAllowedIPs = 0.0.0.0/0,::/0\nEndpoint = vpn.example.org:51820\n",
            config.Config);
    }

    [Fact]
    public void Process_WireGuardOverTcp_MovesProxyEndpointAndUsesFreePorts()
    {
        var keys = WireGuardKeys.Generate();
        var request = ConnectRequest.Build(P(["wireguard"], ["wireguard+tcp"]), Both, true, keys.PublicKey);
        var config = ConnectResponse.Process(request, "application/x-wireguard+tcp-profile", Expires, WireGuardTcpBody, keys.PrivateKey, new FakePorts(), Now);
        Assert.Equal(VpnProtocol.WireGuardProxy, config.Protocol);
        Assert.Equal(new ProxySettings(40001, 40002, "https://proxyendpoint"), config.Proxy);
        Assert.Contains("Endpoint = 127.0.0.1:40002\n", config.Config);
        Assert.DoesNotContain("ProxyEndpoint", config.Config);
        Assert.False(config.ShouldFailover);
    }

    [Fact]
    public void Process_WireGuardOverTcpWithoutProxyEndpoint_FailsInvalidWireGuardConfig()
    {
        var keys = WireGuardKeys.Generate();
        var request = ConnectRequest.Build(P(["wireguard"]), Both, true, keys.PublicKey);
        var e = Assert.Throws<ApiException>(() => ConnectResponse.Process(request, VpnContentTypes.WireGuardOverTcp, Expires, WireGuardBody, keys.PrivateKey, new FakePorts(), Now));
        Assert.Equal(ApiErrorKind.InvalidWireGuardConfig, e.Kind);
        Assert.Equal(WireGuardErrorKind.MissingKey, Assert.IsType<WireGuardConfigException>(e.InnerException).Kind);
        Assert.DoesNotContain(keys.PrivateKey.ToBase64(), e.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Process_MissingExpires_FailsTyped(string? expires)
    {
        var request = ConnectRequest.Build(P(["openvpn"]), Both, false, "K");
        var e = Assert.Throws<ApiException>(() => ConnectResponse.Process(request, VpnContentTypes.OpenVpn, expires, "x", null, new FakePorts(), Now));
        Assert.Equal(ApiErrorKind.MissingExpires, e.Kind);
        Assert.Equal("the server did not give an expires header", e.Message);
    }

    [Fact]
    public void Process_GarbageExpires_FailsInvalidExpires()
    {
        var request = ConnectRequest.Build(P(["openvpn"]), Both, false, "K");
        Assert.Equal(ApiErrorKind.InvalidExpires,
            Assert.Throws<ApiException>(() => ConnectResponse.Process(request, VpnContentTypes.OpenVpn, "tomorrow", "x", null, new FakePorts(), Now)).Kind);
    }

    [Theory]
    [InlineData("Wed, 25 Nov 2026 08:00:00 GMT")]
    [InlineData("Tue, 24 Nov 2026 16:00:00 GMT")]
    public void Process_ExpiresNotInTheFuture_FailsConfigExpired(string expires)
    {
        var request = ConnectRequest.Build(P(["openvpn"]), Both, false, "K");
        Assert.Equal(ApiErrorKind.ConfigExpired,
            Assert.Throws<ApiException>(() => ConnectResponse.Process(request, VpnContentTypes.OpenVpn, expires, "x", null, new FakePorts(), Now)).Kind);
    }

    [Theory]
    [InlineData("Wednesday, 25-Nov-26 16:00:00 GMT")]
    [InlineData("Wed Nov 25 16:00:00 2026")]
    [InlineData("Wed, 25 Nov 2026 16:00:00 GMT")]
    public void ParseExpires_AllHttpDateForms_AreAccepted(string header) =>
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 16, 0, 0, TimeSpan.Zero), ConnectResponse.ParseExpires(header));

    [Theory]
    [InlineData("text/plain")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("application/json")]
    public void Process_InvalidContentType_FailsTyped(string? contentType)
    {
        var request = ConnectRequest.Build(P(["openvpn"]), Both, false, "K");
        var e = Assert.Throws<ApiException>(() => ConnectResponse.Process(request, contentType, Expires, "x", null, new FakePorts(), Now));
        Assert.Equal(ApiErrorKind.InvalidContentType, e.Kind);
        Assert.StartsWith("invalid content type: ", e.Message);
    }

    [Fact]
    public void ProtocolOf_ParametersAndCase_AreIgnored() =>
        Assert.Equal(VpnProtocol.WireGuard, ConnectResponse.ProtocolOf("Application/X-WireGuard-Profile; charset=utf-8"));

    [Theory]
    [InlineData(VpnContentTypes.WireGuard)]
    [InlineData(VpnContentTypes.WireGuardOverTcp)]
    public void Process_WireGuardWhenNotOffered_FailsTyped(string contentType)
    {
        var request = ConnectRequest.Build(P(["openvpn", "wireguard"]), [VpnProtocol.OpenVpn], false, null);
        var e = Assert.Throws<ApiException>(() => ConnectResponse.Process(request, contentType, Expires, WireGuardTcpBody, null, new FakePorts(), Now));
        Assert.Equal(ApiErrorKind.WireGuardNotOffered, e.Kind);
        Assert.Equal("the server sent us a WireGuard profile but the client does not accept WireGuard", e.Message);
    }
}
