using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Tests.Connection.Logic;

public sealed class ConnectionValueTypeTests
{
    private const string Secret = "[Interface]\nPrivateKey = c2VjcmV0LWtleS1tYXRlcmlhbC1ub3QtdG8tYmUtc2hvd24=\n";

    private static VpnConfiguration Sample(string config) =>
        new(config, VpnProtocol.WireGuardProxy, true, ["example.org"], false, new ProxySettings(1, 2, "https://peer"), DateTimeOffset.UnixEpoch);

    [Fact]
    public void VpnConfiguration_ToString_DoesNotRevealTheConfig()
    {
        var text = Sample(Secret).ToString();
        Assert.DoesNotContain("PrivateKey", text);
        Assert.DoesNotContain("c2VjcmV0", text);
        Assert.Contains("WireGuardProxy", text);
        Assert.Contains("https://peer", text);
    }

    [Fact]
    public void VpnConfiguration_Equality_ComparesListsByContent()
    {
        Assert.Equal(Sample(Secret), Sample(Secret));
        Assert.NotEqual(Sample(Secret), Sample(Secret + "x"));
    }

    [Fact]
    public void VpnProtocol_NumbersAndNames_AreEduVpnCommons()
    {
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<VpnProtocol>().Select(p => (int)p));
        Assert.Equal(VpnProtocol.OpenVpn, VpnProtocolNames.Parse("openvpn"));
        Assert.Equal(VpnProtocol.WireGuard, VpnProtocolNames.Parse("wireguard"));
        Assert.Equal(VpnProtocol.Unknown, VpnProtocolNames.Parse(""));
        Assert.Equal(VpnProtocol.Unknown, VpnProtocolNames.Parse("OpenVPN"));
        Assert.Equal(VpnProtocol.Unknown, VpnProtocolNames.Parse(null));
    }
}
