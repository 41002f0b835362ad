using System.Text;
using EduVpnActors.Actors.ProxyGuard.Handshake;
using EduVpnActors.Messages.ProxyGuard;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>The upgrade request's bytes, the peer URL rules and the checks of the answer (proxyguard.md §2).</summary>
public sealed class HandshakeTests
{
    [Fact]
    public void Request_HeaderOrderAndValues_AsTheReference()
    {
        var peer = Peer("https://vpn.example.org/proxyguard");

        var request = Encoding.ASCII.GetString(UpgradeRequest.Build(peer, "eduVPN for Linux/4.2.1 EduVpnActors/0.1.0"));

        Assert.Equal(
            "GET /proxyguard HTTP/1.1\r\nHost: vpn.example.org\r\nUser-Agent: eduVPN for Linux/4.2.1 EduVpnActors/0.1.0\r\n"
            + "Connection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n",
            request);
    }

    [Theory]
    [InlineData("https://vpn.example.org", "/", "vpn.example.org", 443, true)]
    [InlineData("https://vpn.example.org/p?x=1&y=%20", "/p?x=1&y=%20", "vpn.example.org", 443, true)]
    [InlineData("https://vpn.example.org:8443/proxyguard", "/proxyguard", "vpn.example.org:8443", 8443, true)]
    [InlineData("http://127.0.0.1:40003/proxyguard", "/proxyguard", "127.0.0.1:40003", 40003, false)]
    [InlineData("https://[::1]:9443/pg", "/pg", "[::1]:9443", 9443, true)]
    [InlineData("https://bücher.example/pg", "/pg", "xn--bcher-kva.example", 443, true)]
    public void Peer_Url_TargetHostAndPort(string url, string target, string host, int port, bool tls)
    {
        var peer = Peer(url);

        Assert.Equal(target, peer.PathAndQuery);
        Assert.Equal(host, peer.HostHeader);
        Assert.Equal(port, peer.Port);
        Assert.Equal(tls, peer.UseTls);
    }

    [Fact]
    public void Peer_Ipv6_DnsHostWithoutBrackets_ParsedAsAnAddress()
    {
        var peer = Peer("https://[::1]:9443/pg");

        Assert.Equal("::1", peer.DnsHost);
        Assert.Equal(System.Net.IPAddress.IPv6Loopback, peer.Address);
        Assert.Null(Peer("https://vpn.example.org/").Address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/proxyguard")]
    [InlineData("vpn.example.org/proxyguard")]
    [InlineData("ftp://vpn.example.org/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://user:secret@vpn.example.org/")]
    public void Peer_NotAnHttpUrlWithAHost_InvalidPeerUrl(string url)
    {
        Assert.False(ProxyGuardPeer.TryParse(url, out _, out var error));
        Assert.Equal(ProxyGuardErrorKind.InvalidPeerUrl, error.Kind);
        Assert.True(error.IsFatal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UserAgent_ControlCharacters_CannotInjectHeaders()
    {
        var request = Encoding.ASCII.GetString(UpgradeRequest.Build(Peer("https://h/"), "App\r\nX-Evil: 1/1 é"));

        Assert.Contains("User-Agent: App??X-Evil: 1/1 ?\r\n", request, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nX-Evil", request, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: uotlv/1\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nDate: Fri, 31 Jan 2025 10:00:00 GMT\r\nUpgrade:  UoTLV/1 \r\nConnection:\tUpgrade\r\n\r\n")]
    [InlineData("HTTP/1.0 101\nConnection: Upgrade\nUpgrade: UoTLV/1\n\n")]
    public void Answer_Valid101_UpgradedWithItsHeadLength(string answer)
    {
        var bytes = Encoding.ASCII.GetBytes(answer);

        var result = UpgradeResponse.Parse(bytes);

        Assert.Equal(UpgradeParseStatus.Upgraded, result.Status);
        Assert.Equal(bytes.Length, result.HeadLength);
    }

    [Fact]
    public void Answer_FramesInTheSameSegment_StayAfterTheHead()
    {
        byte[] bytes = [.. "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n"u8, 0x00, 0x01, 0x01];

        var result = UpgradeResponse.Parse(bytes);

        Assert.Equal(UpgradeParseStatus.Upgraded, result.Status);
        Assert.Equal(75, result.HeadLength);
        Assert.Equal([0x00, 0x01, 0x01], bytes[result.HeadLength..]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 101 Switching")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r")]
    public void Answer_HeadNotComplete_Incomplete(string answer)
    {
        Assert.Equal(UpgradeParseStatus.Incomplete, UpgradeResponse.Parse(Encoding.ASCII.GetBytes(answer)).Status);
    }

    [Theory]
    // The checks come in the reference's order: status, then Connection, then Upgrade.
    [InlineData("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n", ProxyGuardErrorKind.UnexpectedStatus)]
    [InlineData("HTTP/1.1 426 Upgrade Required\r\nConnection: Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n", ProxyGuardErrorKind.UnexpectedStatus)]
    [InlineData("HTTP/1.1 302 Found\r\nLocation: https://elsewhere/\r\n\r\n", ProxyGuardErrorKind.UnexpectedStatus)]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: UoTLV/1\r\n\r\n", ProxyGuardErrorKind.BadConnectionHeader)]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: keep-alive, Upgrade\r\nUpgrade: UoTLV/1\r\n\r\n", ProxyGuardErrorKind.BadConnectionHeader)]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nConnection: close\r\nUpgrade: websocket\r\n\r\n", ProxyGuardErrorKind.BadUpgradeHeader)]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", ProxyGuardErrorKind.BadUpgradeHeader)]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: UoTLV/2\r\n\r\n", ProxyGuardErrorKind.BadUpgradeHeader)]
    [InlineData("HTTP/2 101\r\n\r\n", ProxyGuardErrorKind.MalformedResponse)]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n\r\n", ProxyGuardErrorKind.MalformedResponse)]
    [InlineData("\r\nHTTP/1.1 101 Switching Protocols\r\n\r\n", ProxyGuardErrorKind.MalformedResponse)]
    [InlineData("HTTP/1.1 1O1 Switching Protocols\r\n\r\n", ProxyGuardErrorKind.MalformedResponse)]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nno colon here\r\n\r\n", ProxyGuardErrorKind.MalformedResponse)]
    public void Answer_NotAnUpgrade_RefusedTypedAndFatal(string answer, ProxyGuardErrorKind kind)
    {
        var result = UpgradeResponse.Parse(Encoding.ASCII.GetBytes(answer));

        Assert.Equal(UpgradeParseStatus.Refused, result.Status);
        Assert.Equal(kind, result.Error!.Kind);
        Assert.True(result.Error.IsFatal);
    }

    [Fact]
    public void Answer_HeadLargerThan16KiB_Malformed()
    {
        var endless = Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\n" + string.Concat(Enumerable.Repeat("X-Filler: 0123456789\r\n", 800)));

        var result = UpgradeResponse.Parse(endless);

        Assert.Equal(UpgradeParseStatus.Refused, result.Status);
        Assert.Equal(ProxyGuardErrorKind.MalformedResponse, result.Error!.Kind);
    }

    private static ProxyGuardPeer Peer(string url)
    {
        Assert.True(ProxyGuardPeer.TryParse(url, out var peer, out var error), error?.Message);
        return peer;
    }
}
