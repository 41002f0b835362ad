using System.Text.RegularExpressions;
using EduVpnActors.Actors.WireGuard;
using NSec.Cryptography;

namespace EduVpnActors.Tests.WireGuard;

public sealed partial class WireGuardRewriteTests
{
    [GeneratedRegex("^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$")]
    private static partial Regex KeyPattern();

    private static readonly WireGuardPrivateKey Key = WireGuardKeys.Generate().PrivateKey;

    [Fact]
    public void Rewrite_StandardConfigWithProxy_MatchesReferenceVector()
    {
        const string input =
            "[Interface]\nMTU = 1392\nPrivateKey =\nAddress = 10.0.0.2/24,fd00::2/64\nDNS = 9.9.9.9,2620:fe::fe\n\n"
            + "[Peer]\nPublicKey =\nAllowedIPs = 0.0.0.0/0,::/0\nProxyEndpoint = https://vpn.example.org/example\n";
        var result = WireGuardConfigRewriter.Rewrite(input, Key, 1337);
        Assert.Equal(
            "[Interface]\nMTU = 1392\nPrivateKey = " + Key.ToBase64() + "\nAddress = 10.0.0.2/24,fd00::2/64\nDNS = 9.9.9.9,2620:fe::fe\n"
            + "[Peer]\nPublicKey =\nAllowedIPs = 0.0.0.0/0,::/0\nEndpoint = 127.0.0.1:1337\n",
            result.Config);
        Assert.Equal("https://vpn.example.org/example", result.ProxyPeer);
    }

    [Fact]
    public void Rewrite_MessyInput_MatchesReferenceVector()
    {
        const string input = "[Interface]\nPrivateKey = bla\n[interface]\n\n[interface2]\ninterface\n [Interface]\n[Interface]test\n";
        var result = WireGuardConfigRewriter.Rewrite(input, Key, null);
        Assert.Equal("[Interface]\nPrivateKey = " + Key.ToBase64() + "\n[interface]\n[interface2]\n", result.Config);
        Assert.Null(result.ProxyPeer);
    }

    [Fact]
    public void Rewrite_LeadingNonIniLines_AreTolerated()
    {
        const string input = "Expires: Wed, 25 Nov 2026 16:00:00 GMT\n\n[Interface]\nAddress = 10.0.0.2/24\n[Peer]\nEndpoint = vpn:51820\n";
        var result = WireGuardConfigRewriter.Rewrite(input, Key, null);
        Assert.Equal("[Interface]\nAddress = 10.0.0.2/24\nPrivateKey = " + Key.ToBase64() + "\n[Peer]\nEndpoint = vpn:51820\n", result.Config);
    }

    [Fact]
    public void Rewrite_ProxyWithExistingEndpoint_ReplacesItInPlace()
    {
        const string input = "[Interface]\n[Peer]\nEndpoint = old:1\nProxyEndpoint = https://p\nAllowedIPs = 0.0.0.0/0\n";
        Assert.Equal(
            "[Interface]\nPrivateKey = " + Key.ToBase64() + "\n[Peer]\nEndpoint = 127.0.0.1:5\nAllowedIPs = 0.0.0.0/0\n",
            WireGuardConfigRewriter.Rewrite(input, Key, 5).Config);
    }

    [Theory]
    [InlineData("", WireGuardErrorKind.Empty, "parsed ini is empty")]
    [InlineData("key = value\n", WireGuardErrorKind.Empty, "parsed ini is empty")]
    [InlineData("[Peer]\nA = b\n", WireGuardErrorKind.MissingSection, "section: 'Interface' does not exist")]
    public void Rewrite_Unusable_FailsTyped(string input, WireGuardErrorKind kind, string message)
    {
        var e = Assert.Throws<WireGuardConfigException>(() => WireGuardConfigRewriter.Rewrite(input, Key, null));
        Assert.Equal(kind, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Rewrite_ProxyWithoutPeer_FailsMissingSection() =>
        Assert.Equal("section: 'Peer' does not exist",
            Assert.Throws<WireGuardConfigException>(() => WireGuardConfigRewriter.Rewrite("[Interface]\n", Key, 1)).Message);

    [Fact]
    public void Rewrite_ProxyWithoutProxyEndpoint_FailsMissingKey() =>
        Assert.Equal("no key to remove with name: 'ProxyEndpoint'",
            Assert.Throws<WireGuardConfigException>(() => WireGuardConfigRewriter.Rewrite("[Interface]\n[Peer]\nA = b\n", Key, 1)).Message);

    [Fact]
    public void Generate_Keys_AreBase64X25519PairsMatchingTheReferencePattern()
    {
        var pair = WireGuardKeys.Generate();
        Assert.Matches(KeyPattern(), pair.PublicKey);
        var privateBytes = Convert.FromBase64String(pair.PrivateKey.ToBase64());
        Assert.Equal(32, privateBytes.Length);
        Assert.Equal(0, privateBytes[0] & 7);
        Assert.Equal(64, privateBytes[31] & 0xC0);
        using var imported = NSec.Cryptography.Key.Import(KeyAgreementAlgorithm.X25519, privateBytes, KeyBlobFormat.RawPrivateKey);
        Assert.Equal(pair.PublicKey, Convert.ToBase64String(imported.PublicKey.Export(KeyBlobFormat.RawPublicKey)));
    }

    [Fact]
    public void Generate_TwoCalls_GiveDifferentKeys()
    {
        var a = WireGuardKeys.Generate();
        var b = WireGuardKeys.Generate();
        Assert.NotEqual(a.PublicKey, b.PublicKey);
        Assert.NotEqual(a.PrivateKey.ToBase64(), b.PrivateKey.ToBase64());
    }

    [Fact]
    public void PrivateKey_ToStringAndPairToString_DoNotRevealTheKey()
    {
        var pair = WireGuardKeys.Generate();
        Assert.DoesNotContain(pair.PrivateKey.ToBase64(), pair.PrivateKey.ToString());
        Assert.DoesNotContain(pair.PrivateKey.ToBase64(), pair.ToString());
        Assert.Contains(pair.PublicKey, pair.ToString());
    }

    [Fact]
    public void RewriteResult_ToString_DoesNotRevealTheConfig()
    {
        var result = WireGuardConfigRewriter.Rewrite("[Interface]\n", Key, null);
        Assert.DoesNotContain(Key.ToBase64(), result.ToString());
    }

    [Fact]
    public void LoopbackFreePorts_GivesBindablePorts()
    {
        var tcp = LoopbackFreePorts.Instance.FreeTcpPort();
        var udp = LoopbackFreePorts.Instance.FreeUdpPort();
        Assert.InRange(tcp, 1, 65535);
        Assert.InRange(udp, 1, 65535);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, tcp);
        listener.Start();
        using var client = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, udp));
    }

    [Theory]
    [InlineData("[Interface]\n[Peer]\nEndpoint = 127.0.0.1:1337\n", 1337)]
    [InlineData("[Interface]\n[Peer]\nEndpoint = vpn.example.org:51820\n", null)]
    [InlineData("[Interface]\n[Peer]\nEndpoint = 127.0.0.1:0\n", null)]
    [InlineData("[Interface]\n[Peer]\nEndpoint = 127.0.0.1:70000\n", null)]
    [InlineData("[Interface]\n[Peer]\nEndpoint = 127.0.0.1:+5\n", null)]
    [InlineData("[Interface]\nEndpoint = 127.0.0.1:5\n[Peer]\n", null)]
    [InlineData("[Interface]\n", null)]
    public void LoopbackEndpointPort_OnlyAPeerEndpointOn127001(string config, int? port) =>
        Assert.Equal(port, WireGuardConfigRewriter.LoopbackEndpointPort(config));

    [Fact]
    public void PointEndpointAt_ReplacesThePeersEndpointInPlace_OrAddsIt()
    {
        var rewritten = WireGuardConfigRewriter.Rewrite("[Interface]\n[Peer]\nAllowedIPs = 0.0.0.0/0\nProxyEndpoint = https://p\n", Key, 1337).Config;

        var moved = WireGuardConfigRewriter.PointEndpointAt(rewritten, 40000);

        Assert.Equal(rewritten.Replace("Endpoint = 127.0.0.1:1337", "Endpoint = 127.0.0.1:40000", StringComparison.Ordinal), moved);
        Assert.Equal(40000, WireGuardConfigRewriter.LoopbackEndpointPort(moved));
        Assert.Equal("[Interface]\n[Peer]\nPublicKey = x\nEndpoint = 127.0.0.1:9\n", WireGuardConfigRewriter.PointEndpointAt("[Interface]\n[Peer]\nPublicKey = x\n", 9));
        Assert.Equal(WireGuardErrorKind.MissingSection, Assert.Throws<WireGuardConfigException>(() => WireGuardConfigRewriter.PointEndpointAt("[Interface]\n", 9)).Kind);
    }
}
