using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EduVpnActors.Actors.Configuration;
using EduVpnActors.Actors.Failover;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Tests.Failover;

public sealed class FailoverLogicTests
{
    private static readonly byte[] Cookie = [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [InlineData(false, 100, 100, ProbeOutcome.Dropped)]
    [InlineData(false, 100, 99, ProbeOutcome.Dropped)]
    [InlineData(false, 100, 101, ProbeOutcome.NotDropped)]
    [InlineData(true, 100, 100, ProbeOutcome.NotDropped)]
    public void Decide_ReplyAndCounter_FollowsSection8(bool replySeen, long before, long after, ProbeOutcome expected) =>
        Assert.Equal(expected, FailoverDecision.Decide(replySeen, before, after));

    [Theory]
    [InlineData(1, ProbeErrorKind.InvalidMtu)]
    [InlineData(27, ProbeErrorKind.InvalidMtu)]
    [InlineData(65536, ProbeErrorKind.InvalidMtu)]
    public void PayloadLength_MtuOutOfRange_InvalidMtu(int mtu, ProbeErrorKind kind)
    {
        var error = FailoverDecision.PayloadLength(mtu, 28, out _);
        Assert.Equal(kind, error?.Kind);
    }

    [Fact]
    public void PayloadLength_MtuBelowOverhead_HasEduVpnCommonText()
    {
        var error = FailoverDecision.PayloadLength(1, 28, out _);
        Assert.Equal("invalid MTU size given, MTU has to be at least: 28 bytes", error!.Message);
    }

    [Theory]
    [InlineData(28, 0)]
    [InlineData(1420, 1392)]
    public void PayloadLength_ValidMtu_IsMtuMinusOverhead(int mtu, int payload)
    {
        Assert.Null(FailoverDecision.PayloadLength(mtu, 28, out var length));
        Assert.Equal(payload, length);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("::")]
    [InlineData("ff02::1")]
    public void ValidateGateway_Unusable_InvalidGateway(string address) =>
        Assert.Equal(ProbeErrorKind.InvalidGateway, FailoverDecision.ValidateGateway(IPAddress.Parse(address))?.Kind);

    [Theory]
    [InlineData("10.10.10.1")]
    [InlineData("fd42::1")]
    public void ValidateGateway_Unicast_Accepted(string address) =>
        Assert.Null(FailoverDecision.ValidateGateway(IPAddress.Parse(address)));

    [Theory]
    [InlineData(0, 1000, 1000)]
    [InlineData(5, 0, 1000)]
    [InlineData(5, 1000, 0)]
    public void ValidateTiming_NotPositive_InvalidTiming(int count, int intervalMs, int timeoutMs) =>
        Assert.Equal(ProbeErrorKind.InvalidTiming, FailoverDecision.ValidateTiming(
            new ProbeTiming(TimeSpan.FromMilliseconds(intervalMs), count, TimeSpan.FromMilliseconds(timeoutMs)))?.Kind);

    [Fact]
    public void BuildRequest_Ipv4_HasTypeIdSequenceCookieAndValidChecksum()
    {
        var packet = EchoPacket.BuildRequest(AddressFamily.InterNetwork, 0xBEEF, 3, 1392, Cookie);

        Assert.Equal(1400, packet.Length);
        Assert.Equal(8, packet[0]);
        Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4)));
        Assert.Equal(3, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6)));
        Assert.Equal(Cookie, packet.AsSpan(8, 8).ToArray());
        Assert.All(packet.AsSpan(16).ToArray(), b => Assert.Equal(0, b));
        // A correct checksum makes the sum over the whole message 0 (complement 0xFFFF → 0).
        Assert.Equal(0, EchoPacket.InternetChecksum(packet));
    }

    [Fact]
    public void BuildRequest_Ipv6_HasType128AndLeavesChecksumToKernel()
    {
        var packet = EchoPacket.BuildRequest(AddressFamily.InterNetworkV6, 7, 1, 4, Cookie);

        Assert.Equal(128, packet[0]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)));
        Assert.Equal(Cookie[..4], packet.AsSpan(8).ToArray());
    }

    [Fact]
    public void InternetChecksum_Rfc1071Example_Matches()
    {
        // RFC 1071 §3 example bytes; the one's-complement sum is 0xDDF2.
        byte[] data = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7];
        Assert.Equal(0x220D, EchoPacket.InternetChecksum(data));
    }

    [Fact]
    public void TryMatchReply_Ipv4RawWithIpHeader_Matches()
    {
        var reply = WithIpv4Header(Reply(AddressFamily.InterNetwork, 0x1234, 2, Cookie));

        Assert.True(EchoPacket.TryMatchReply(reply, AddressFamily.InterNetwork, true, 0x1234, 5, Cookie, out var sequence));
        Assert.Equal(2, sequence);
    }

    [Fact]
    public void TryMatchReply_Ipv4Datagram_MatchesWithoutIpHeader()
    {
        var reply = Reply(AddressFamily.InterNetwork, 0x1234, 1, Cookie);
        Assert.True(EchoPacket.TryMatchReply(reply, AddressFamily.InterNetwork, false, 0x1234, 1, Cookie, out _));
    }

    [Fact]
    public void TryMatchReply_Ipv6_Matches()
    {
        var reply = Reply(AddressFamily.InterNetworkV6, 42, 4, Cookie);
        Assert.True(EchoPacket.TryMatchReply(reply, AddressFamily.InterNetworkV6, false, 42, 4, Cookie, out var sequence));
        Assert.Equal(4, sequence);
    }

    [Fact]
    public void TryMatchReply_OtherIdentifier_Rejected() =>
        Assert.False(EchoPacket.TryMatchReply(Reply(AddressFamily.InterNetwork, 1, 1, Cookie), AddressFamily.InterNetwork, false, 2, 5, Cookie, out _));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void TryMatchReply_SequenceNotSent_Rejected(int sequence) =>
        Assert.False(EchoPacket.TryMatchReply(Reply(AddressFamily.InterNetwork, 9, (ushort)sequence, Cookie), AddressFamily.InterNetwork, false, 9, 2, Cookie, out _));

    [Fact]
    public void TryMatchReply_OtherCookie_Rejected()
    {
        byte[] other = [9, 9, 9, 9, 9, 9, 9, 9];
        Assert.False(EchoPacket.TryMatchReply(Reply(AddressFamily.InterNetwork, 9, 1, other), AddressFamily.InterNetwork, false, 9, 1, Cookie, out _));
    }

    [Fact]
    public void TryMatchReply_EchoRequestSeenOnLoopback_Rejected()
    {
        var request = EchoPacket.BuildRequest(AddressFamily.InterNetwork, 9, 1, 8, Cookie);
        Assert.False(EchoPacket.TryMatchReply(request, AddressFamily.InterNetwork, false, 9, 1, Cookie, out _));
    }

    [Fact]
    public void TryMatchReply_Ipv4ReplyTypeOnIpv6Socket_Rejected() =>
        Assert.False(EchoPacket.TryMatchReply(Reply(AddressFamily.InterNetwork, 9, 1, Cookie), AddressFamily.InterNetworkV6, false, 9, 1, Cookie, out _));

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(19)]
    public void TryMatchReply_Truncated_Rejected(int length)
    {
        var reply = WithIpv4Header(Reply(AddressFamily.InterNetwork, 9, 1, Cookie));
        Assert.False(EchoPacket.TryMatchReply(reply.AsSpan(0, length), AddressFamily.InterNetwork, true, 9, 1, Cookie, out _));
    }

    [Fact]
    public void TryMatchReply_ShortPayload_ComparesCookiePrefix()
    {
        var reply = Reply(AddressFamily.InterNetwork, 9, 1, Cookie[..3]);
        Assert.True(EchoPacket.TryMatchReply(reply, AddressFamily.InterNetwork, false, 9, 1, Cookie, out _));
    }

    [Fact]
    public void FromConfig_ShippedDefaults_AreEduVpnCommonConstants()
    {
        var settings = FailoverSettings.FromConfig(EngineConfiguration.Defaults());

        Assert.Equal(FailoverSettings.Default, settings);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Timing.Interval);
        Assert.Equal(5, settings.Timing.Count);
        Assert.Equal(28, settings.Ipv4Overhead);
    }

    [Fact]
    public void FromConfig_Override_Wins()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("eduvpn.failover { interval = 200ms, count = 3 }")
            .WithFallback(EngineConfiguration.Defaults());

        var settings = FailoverSettings.FromConfig(config);

        Assert.Equal(new ProbeTiming(TimeSpan.FromMilliseconds(200), 3, TimeSpan.FromSeconds(2)), settings.Timing);
    }

    [Fact]
    public async Task SysfsRxBytesSource_CounterFile_IsRead()
    {
        var root = Directory.CreateTempSubdirectory("failover-sysfs").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "tun0", "statistics"));
            await File.WriteAllTextAsync(Path.Combine(root, "tun0", "statistics", "rx_bytes"), "123456789\n");
            var source = new SysfsRxBytesSource("tun0", IPAddress.Loopback, root);

            Assert.Equal(123456789, await source.ReadRxBytesAsync(CancellationToken.None));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Theory]
    [InlineData("missing0")]
    [InlineData("../etc")]
    [InlineData("")]
    [InlineData("a-name-that-is-too-long")]
    public async Task SysfsRxBytesSource_BadInterface_RxCounterFailed(string name)
    {
        var source = new SysfsRxBytesSource(name, IPAddress.Loopback, Path.GetTempPath());
        var error = await Assert.ThrowsAsync<FailoverException>(async () => await source.ReadRxBytesAsync(CancellationToken.None));
        Assert.Equal(ProbeErrorKind.RxCounterFailed, error.Kind);
    }

    [Fact]
    public void InterfaceTowards_Loopback_IsLo()
    {
        Assert.Equal("lo", SysfsRxBytesSource.InterfaceTowards(IPAddress.Parse("127.0.0.9")));
    }

    private static byte[] Reply(AddressFamily family, ushort id, ushort sequence, byte[] payload)
    {
        var packet = new byte[8 + payload.Length];
        packet[0] = family == AddressFamily.InterNetworkV6 ? (byte)129 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        payload.CopyTo(packet.AsSpan(8));
        return packet;
    }

    private static byte[] WithIpv4Header(byte[] icmp)
    {
        var packet = new byte[20 + icmp.Length];
        packet[0] = 0x45;
        packet[9] = 1;
        icmp.CopyTo(packet.AsSpan(20));
        return packet;
    }
}
