using System.Net;
using EduVpnActors.Actors.Client;
using EduVpnActors.Messages.Client;
using EduVpnActors.Messages.Connection;

namespace EduVpnActors.Tests.Client;

public sealed class FailoverStartTests
{
    private static VpnConfiguration Config(VpnProtocol protocol, string text) =>
        new(text, protocol, true, [], true, null, DateTimeOffset.UnixEpoch);

    [Fact]
    public void GivenGateway_WinsOverTheConfiguration()
    {
        var wireGuard = Config(VpnProtocol.WireGuard, "[Interface]\nAddress = 10.10.10.5/24\n");
        Assert.Equal(IPAddress.Parse("192.0.2.1"), FailoverStart.Gateway("192.0.2.1", wireGuard, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void WireGuard_TheFirstHostOfTheAddress_IPv4First()
    {
        var wireGuard = Config(VpnProtocol.WireGuard, "[Interface]\nAddress = fd00::5/64, 10.10.10.5/24\n");
        Assert.Equal(IPAddress.Parse("10.10.10.1"), FailoverStart.Gateway(null, wireGuard, out _));
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData(null)]
    public void NoUsableGateway_TypedInvalidState(string? given)
    {
        var openVpn = Config(VpnProtocol.OpenVpn, "client\n");
        Assert.Null(FailoverStart.Gateway(given, openVpn, out var error));
        Assert.Equal(ClientErrorKind.InvalidState, error?.Kind);
    }

    [Theory]
    [InlineData(ConnectionState.Connecting, true)]
    [InlineData(ConnectionState.Connected, true)]
    [InlineData(ConnectionState.Disconnecting, false)]
    [InlineData(ConnectionState.Disconnected, false)]
    [InlineData(ConnectionState.GotConfig, false)]
    public void OnlyATunnelComingUpOrUpIsProbed(ConnectionState state, bool up) => Assert.Equal(up, FailoverStart.IsTunnelUp(state));
}
