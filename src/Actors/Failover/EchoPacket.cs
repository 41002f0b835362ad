using System.Buffers.Binary;
using System.Net.Sockets;

namespace EduVpnActors.Actors.Failover;

/// <summary>
/// Builds ICMP/ICMPv6 echo requests and recognises the echo replies that belong to one probe.
/// Pure byte logic, no sockets.
/// </summary>
public static class EchoPacket
{
    /// <summary>ICMP echo header: type, code, checksum, identifier, sequence.</summary>
    public const int HeaderLength = 8;

    /// <summary>Random bytes at the start of the payload that tie a reply to one probe.</summary>
    public const int CookieLength = 8;

    private const byte Icmp4EchoReply = 0;
    private const byte Icmp4EchoRequest = 8;
    private const byte Icmp6EchoRequest = 128;
    private const byte Icmp6EchoReply = 129;

    /// <summary>
    /// An echo request with <paramref name="payloadLength"/> payload bytes: the cookie first (as far
    /// as it fits), zeros after it. The IPv4 checksum is filled in; for ICMPv6 the kernel computes it
    /// (it covers a pseudo-header with addresses only the kernel knows for sure).
    /// </summary>
    public static byte[] BuildRequest(AddressFamily family, ushort identifier, ushort sequence, int payloadLength, ReadOnlySpan<byte> cookie)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        var packet = new byte[HeaderLength + payloadLength];
        packet[0] = family == AddressFamily.InterNetworkV6 ? Icmp6EchoRequest : Icmp4EchoRequest;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        cookie[..Math.Min(cookie.Length, payloadLength)].CopyTo(packet.AsSpan(HeaderLength));
        if (family != AddressFamily.InterNetworkV6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), InternetChecksum(packet));
        }
        return packet;
    }

    /// <summary>
    /// Whether <paramref name="datagram"/> is an echo reply to one of our requests: right type, our
    /// identifier, a sequence number we sent (1..<paramref name="highestSequenceSent"/>) and our cookie.
    /// </summary>
    /// <param name="datagram">What the socket returned.</param>
    /// <param name="family">The socket's address family.</param>
    /// <param name="includesIpHeader">True for raw IPv4 sockets, which deliver the IP header too.</param>
    /// <param name="identifier">Our echo identifier (for unprivileged sockets: the socket's local port).</param>
    /// <param name="highestSequenceSent">The last sequence number sent.</param>
    /// <param name="cookie">Our payload cookie (compared as far as the payload is long).</param>
    /// <param name="sequence">The reply's sequence number when it matches.</param>
    public static bool TryMatchReply(
        ReadOnlySpan<byte> datagram,
        AddressFamily family,
        bool includesIpHeader,
        ushort identifier,
        int highestSequenceSent,
        ReadOnlySpan<byte> cookie,
        out int sequence)
    {
        sequence = 0;
        var icmp = datagram;
        if (includesIpHeader)
        {
            if (icmp.Length < 20 || icmp[0] >> 4 != 4)
            {
                return false;
            }
            var headerLength = (icmp[0] & 0x0F) * 4;
            if (headerLength < 20 || icmp.Length < headerLength)
            {
                return false;
            }
            icmp = icmp[headerLength..];
        }
        if (icmp.Length < HeaderLength)
        {
            return false;
        }
        var expectedType = family == AddressFamily.InterNetworkV6 ? Icmp6EchoReply : Icmp4EchoReply;
        if (icmp[0] != expectedType || icmp[1] != 0)
        {
            return false;
        }
        if (BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) != identifier)
        {
            return false;
        }
        int replySequence = BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]);
        if (replySequence < 1 || replySequence > highestSequenceSent)
        {
            return false;
        }
        var payload = icmp[HeaderLength..];
        var expectedCookie = cookie[..Math.Min(cookie.Length, payload.Length)];
        if (!payload[..expectedCookie.Length].SequenceEqual(expectedCookie))
        {
            return false;
        }
        sequence = replySequence;
        return true;
    }

    /// <summary>RFC 1071 one's-complement checksum (with the checksum field itself set to zero).</summary>
    public static ushort InternetChecksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8 | data[i + 1]);
        }
        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
