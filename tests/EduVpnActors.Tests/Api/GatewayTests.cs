using EduVpnActors.Actors.Api;

namespace EduVpnActors.Tests.Api;

public sealed class GatewayTests
{
    [Theory]
    [InlineData("10.10.10.5/24", "10.10.10.1")]
    [InlineData("10.10.10.130/25", "10.10.10.129")]
    [InlineData("fd42::5/112", "fd42::1")]
    [InlineData("5502:df9::/64", "5502:df9::1")]
    [InlineData("192.168.0.0/16", "192.168.0.1")]
    [InlineData("0.0.0.0/0", "0.0.0.1")]
    public void Calculate_ReferenceVectors_GiveFirstHost(string cidr, string expected) =>
        Assert.Equal(expected, Gateway.Calculate(cidr).ToString());

    [Theory]
    [InlineData("5502:df9::0/128", "5502:df9::1")]
    [InlineData("5502:df9::ffff/128", "5502:df9::1:0")]
    [InlineData("10.0.0.0/32", "10.0.0.1")]
    [InlineData("10.0.0.255/32", "10.0.1.0")]
    public void Calculate_NoRoomInNetwork_FailsWithIncrementedIp(string cidr, string incremented)
    {
        var e = Assert.Throws<ApiException>(() => Gateway.Calculate(cidr));
        Assert.Equal(ApiErrorKind.GatewayOutsideNetwork, e.Kind);
        Assert.Equal("IP network does not contain incremented IP: " + incremented, e.Message);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("bla")]
    [InlineData("5502:df9::ffff")]
    [InlineData("10.0.0.1/33")]
    [InlineData("fd42::1/129")]
    [InlineData("10.1/8")]
    [InlineData("10.0.0.01/8")]
    [InlineData("10.0.0.1/")]
    [InlineData("10.0.0.1/-1")]
    [InlineData("fe80::1%eth0/64")]
    public void Calculate_NotACidr_FailsInvalidCidr(string cidr)
    {
        var e = Assert.Throws<ApiException>(() => Gateway.Calculate(cidr));
        Assert.Equal(ApiErrorKind.InvalidCidr, e.Kind);
        Assert.Equal("invalid CIDR address: " + cidr, e.Message);
    }

    [Fact]
    public void FromAddressLine_IPv4AndIPv6_GivesBothGateways() =>
        Assert.Equal(["10.43.43.1", "fd43::1"], Gateway.FromAddressLine("10.43.43.2/24, fd43::2/64").Select(a => a.ToString()));

    [Fact]
    public void FromAddressLine_SingleHostEntries_AreSkipped() =>
        Assert.Equal(["fd43::1"], Gateway.FromAddressLine("10.43.43.2/32,fd43::2/64,fd44::1/128").Select(a => a.ToString()));

    [Fact]
    public void FromAddressLine_GarbageEntry_FailsInvalidCidr() =>
        Assert.Equal(ApiErrorKind.InvalidCidr, Assert.Throws<ApiException>(() => Gateway.FromAddressLine("10.0.0.2/24, nope")).Kind);

    [Fact]
    public void FromWireGuardConfig_ReadsInterfaceAddress()
    {
        const string config = "[Interface]\nPrivateKey = x\nAddress = 10.10.10.130/25,fd42::5/112\n[Peer]\nAllowedIPs = 0.0.0.0/0\n";
        Assert.Equal(["10.10.10.129", "fd42::1"], Gateway.FromWireGuardConfig(config).Select(a => a.ToString()));
        Assert.Empty(Gateway.FromWireGuardConfig("[Peer]\nAllowedIPs = 0.0.0.0/0\n"));
    }
}
