using System.Net;
using System.Net.Sockets;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Actors.Failover;

/// <summary>The rules of eduvpn-common's failover (§8), without sockets, counters or time.</summary>
public static class FailoverDecision
{
    /// <summary>§8 step 7: dropped when nothing came back and the counter did not increase.</summary>
    public static ProbeOutcome Decide(bool replySeen, long rxBytesBefore, long rxBytesAfter) =>
        replySeen || rxBytesAfter > rxBytesBefore ? ProbeOutcome.NotDropped : ProbeOutcome.Dropped;

    /// <summary>ICMP overhead (IP header + ICMP header) for the gateway's family.</summary>
    public static int Overhead(IPAddress gateway, FailoverSettings settings) =>
        gateway.AddressFamily == AddressFamily.InterNetworkV6 ? settings.Ipv6Overhead : settings.Ipv4Overhead;

    /// <summary>
    /// The echo payload length that makes each request exactly <paramref name="mtu"/> bytes on the
    /// wire, or an <see cref="ProbeErrorKind.InvalidMtu"/> error (the IPv4 text is eduvpn-common's).
    /// </summary>
    public static ProbeError? PayloadLength(int mtu, int overhead, out int payloadLength)
    {
        payloadLength = mtu - overhead;
        if (mtu < overhead)
        {
            return new ProbeError(ProbeErrorKind.InvalidMtu, $"invalid MTU size given, MTU has to be at least: {overhead} bytes");
        }
        if (mtu > ushort.MaxValue)
        {
            return new ProbeError(ProbeErrorKind.InvalidMtu, $"invalid MTU size given, MTU has to be at most: {ushort.MaxValue} bytes");
        }
        return null;
    }

    /// <summary>Interval and time-out must be positive, the count at least one.</summary>
    public static ProbeError? ValidateTiming(ProbeTiming timing)
    {
        if (timing.Count < 1 || timing.Count > ushort.MaxValue)
        {
            return new ProbeError(ProbeErrorKind.InvalidTiming, $"the echo count must be between 1 and {ushort.MaxValue}, got {timing.Count}");
        }
        if (timing.Interval <= TimeSpan.Zero || timing.ReplyTimeout <= TimeSpan.Zero)
        {
            return new ProbeError(ProbeErrorKind.InvalidTiming, "the echo interval and reply time-out must be positive");
        }
        return null;
    }

    /// <summary>Rejects addresses no gateway can have.</summary>
    public static ProbeError? ValidateGateway(IPAddress gateway)
    {
        var unusable = gateway.AddressFamily switch
        {
            AddressFamily.InterNetwork => gateway.Equals(IPAddress.Any) || gateway.Equals(IPAddress.Broadcast) || (gateway.GetAddressBytes()[0] & 0xF0) == 0xE0,
            AddressFamily.InterNetworkV6 => gateway.Equals(IPAddress.IPv6Any) || gateway.IsIPv6Multicast,
            _ => true,
        };
        return unusable ? new ProbeError(ProbeErrorKind.InvalidGateway, $"'{gateway}' cannot be a gateway address") : null;
    }
}
