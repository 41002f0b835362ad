using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using EduVpnActors.Messages.Failover;

namespace EduVpnActors.Actors.Failover;

/// <summary>Which kind of ICMP socket to open.</summary>
public enum IcmpSocketMode
{
    /// <summary>Unprivileged datagram ICMP first, raw if that is not allowed.</summary>
    Auto,
    /// <summary>Only unprivileged datagram ICMP (Linux <c>net.ipv4.ping_group_range</c>).</summary>
    Unprivileged,
    /// <summary>Only raw ICMP (root or CAP_NET_RAW).</summary>
    Raw,
}

/// <summary>
/// Real ICMP echo over one socket per probe, connected to the gateway, so the kernel hands it only
/// the gateway's packets and probes never see each other's traffic. Unprivileged datagram sockets
/// get their echo identifier from the kernel (the socket's local port); raw sockets use a random one.
/// Every request carries a random cookie that the reply must echo.
/// </summary>
public sealed class IcmpEchoPinger : IEchoPinger
{
    // Linux socket options: SOL_RAW/ICMP_FILTER and IPPROTO_ICMPV6/ICMP6_FILTER (set bit = block).
    private const int SolRaw = 255;
    private const int IcmpFilter = 1;
    private const int IpProtoIcmpV6 = 58;
    private const int Icmp6Filter = 1;
    private const int IpProtoIpv6 = 41;
    private const int Ipv6DontFrag = 62;
    private const int MaxConsecutiveReceiveErrors = 16;

    private readonly Socket _socket;
    private readonly IPAddress _gateway;
    private readonly int _payloadLength;
    private readonly ushort _identifier;
    private readonly byte[] _cookie = RandomNumberGenerator.GetBytes(EchoPacket.CookieLength);
    private readonly byte[] _receiveBuffer;
    private readonly bool _includesIpHeader;
    private volatile int _highestSequenceSent;

    private IcmpEchoPinger(Socket socket, IPAddress gateway, int payloadLength, bool raw)
    {
        _socket = socket;
        _gateway = gateway;
        _payloadLength = payloadLength;
        _includesIpHeader = raw && gateway.AddressFamily == AddressFamily.InterNetwork;
        _identifier = raw
            ? (ushort)RandomNumberGenerator.GetInt32(1, ushort.MaxValue + 1)
            : (ushort)((IPEndPoint)socket.LocalEndPoint!).Port;
        // Room for an IPv4 header with options; longer replies are not ours anyway.
        _receiveBuffer = new byte[EchoPacket.HeaderLength + payloadLength + 60];
        Mode = raw ? IcmpSocketMode.Raw : IcmpSocketMode.Unprivileged;
    }

    /// <summary>The kind of socket that was opened.</summary>
    public IcmpSocketMode Mode { get; }

    /// <summary>Our echo identifier.</summary>
    public ushort Identifier => _identifier;

    /// <summary>Opens and connects a socket to <paramref name="gateway"/>. Throws <see cref="FailoverException"/>.</summary>
    public static IcmpEchoPinger Open(IPAddress gateway, int payloadLength, IcmpSocketMode mode = IcmpSocketMode.Auto)
    {
        var family = gateway.AddressFamily;
        var protocol = family == AddressFamily.InterNetworkV6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp;
        SocketException? unprivilegedFailure = null;
        if (mode != IcmpSocketMode.Raw)
        {
            try
            {
                return Connect(new Socket(family, SocketType.Dgram, protocol), gateway, payloadLength, raw: false);
            }
            catch (SocketException e) when (mode == IcmpSocketMode.Auto && IsPermissionOrSupport(e))
            {
                unprivilegedFailure = e;
            }
            catch (SocketException e)
            {
                throw OpenFailure(e, "an unprivileged ICMP socket (net.ipv4.ping_group_range)");
            }
        }
        try
        {
            return Connect(new Socket(family, SocketType.Raw, protocol), gateway, payloadLength, raw: true);
        }
        catch (SocketException e) when (unprivilegedFailure is not null && IsPermissionOrSupport(e))
        {
            throw new FailoverException(
                ProbeErrorKind.NoIcmpPermission,
                "neither an unprivileged ICMP socket (this group is outside net.ipv4.ping_group_range: "
                + unprivilegedFailure.SocketErrorCode + ") nor a raw socket (needs root or CAP_NET_RAW: "
                + e.SocketErrorCode + ") may be opened",
                e);
        }
        catch (SocketException e)
        {
            throw OpenFailure(e, "a raw ICMP socket (root or CAP_NET_RAW)");
        }
    }

    /// <inheritdoc />
    public async ValueTask SendEchoAsync(int sequence, CancellationToken cancellationToken)
    {
        var packet = EchoPacket.BuildRequest(_gateway.AddressFamily, _identifier, (ushort)sequence, _payloadLength, _cookie);
        if (sequence > _highestSequenceSent)
        {
            // Before sending: the reply can be faster than the send's completion.
            _highestSequenceSent = sequence;
        }
        try
        {
            await _socket.SendAsync(packet, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (IsNotDelivered(e))
        {
            // The kernel could not put the echo on the wire (link down, neighbour unresolved, an ICMP
            // unreachable queued on the socket): it is lost as surely as one a firewall drops, so the
            // counter decides. eduvpn-common ends the probe with an error here, which tells the host nothing.
        }
        catch (SocketException e)
        {
            throw new FailoverException(ProbeErrorKind.SendFailed, $"sending echo request {sequence} to {_gateway} failed: {e.SocketErrorCode} ({e.Message})", e);
        }
        catch (ObjectDisposedException e)
        {
            throw new OperationCanceledException("the probe's socket was closed", e, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> ReceiveReplyAsync(CancellationToken cancellationToken)
    {
        var anySource = new IPEndPoint(_gateway.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var consecutiveErrors = 0;
        while (true)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, anySource, cancellationToken).ConfigureAwait(false);
                consecutiveErrors = 0;
            }
            catch (ObjectDisposedException e)
            {
                throw new OperationCanceledException("the probe's socket was closed", e, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode != SocketError.OperationAborted && ++consecutiveErrors < MaxConsecutiveReceiveErrors)
            {
                // Connected ICMP sockets report ICMP errors (host unreachable, ...) once on receive;
                // a later echo may still be answered, so keep listening.
                continue;
            }
            if (result.RemoteEndPoint is IPEndPoint from && SameAddress(from.Address, _gateway)
                && EchoPacket.TryMatchReply(
                    _receiveBuffer.AsSpan(0, result.ReceivedBytes),
                    _gateway.AddressFamily,
                    _includesIpHeader,
                    _identifier,
                    _highestSequenceSent,
                    _cookie,
                    out var sequence))
            {
                return sequence;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    private static IcmpEchoPinger Connect(Socket socket, IPAddress gateway, int payloadLength, bool raw)
    {
        try
        {
            if (raw && OperatingSystem.IsLinux())
            {
                OnlyEchoReplies(socket, gateway.AddressFamily);
            }
            // MTU-sized means MTU-sized: never fragment locally; too large for the link is a send error.
            if (gateway.AddressFamily == AddressFamily.InterNetworkV6)
            {
                if (OperatingSystem.IsLinux())
                {
                    Span<byte> on = stackalloc byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(on, 1);
                    socket.SetRawSocketOption(IpProtoIpv6, Ipv6DontFrag, on);
                }
            }
            else
            {
                socket.DontFragment = true;
            }
            if (!raw)
            {
                // Binding to port 0 makes the kernel pick the echo identifier now, so we know it.
                socket.Bind(new IPEndPoint(gateway.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            }
            try
            {
                socket.Connect(new IPEndPoint(gateway, 0));
            }
            catch (SocketException e) when (!IsPermissionOrSupport(e))
            {
                throw new FailoverException(ProbeErrorKind.SendFailed, $"cannot reach {gateway}: {e.SocketErrorCode} ({e.Message})", e);
            }
            return new IcmpEchoPinger(socket, gateway, payloadLength, raw);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // Kernel-side filter so a raw socket is not woken for the echo requests and errors of others.
    private static void OnlyEchoReplies(Socket socket, AddressFamily family)
    {
        if (family == AddressFamily.InterNetworkV6)
        {
            Span<byte> filter = stackalloc byte[32];
            filter.Fill(0xFF);
            var blockEchoReply = BinaryPrimitives.ReadUInt32LittleEndian(filter[16..]) & ~(1u << (129 & 31));
            BinaryPrimitives.WriteUInt32LittleEndian(filter[16..], blockEchoReply);
            socket.SetRawSocketOption(IpProtoIcmpV6, Icmp6Filter, filter);
        }
        else
        {
            Span<byte> mask = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(mask, ~1u);
            socket.SetRawSocketOption(SolRaw, IcmpFilter, mask);
        }
    }

    private static bool IsNotDelivered(SocketException e) => e.SocketErrorCode is
        SocketError.NoBufferSpaceAvailable or SocketError.HostUnreachable or SocketError.NetworkUnreachable
        or SocketError.HostDown or SocketError.NetworkDown;

    private static bool IsPermissionOrSupport(SocketException e) => e.SocketErrorCode is
        SocketError.AccessDenied or SocketError.ProtocolNotSupported or SocketError.SocketNotSupported
        or SocketError.OperationNotSupported or SocketError.ProtocolType or SocketError.AddressFamilyNotSupported;

    private static FailoverException OpenFailure(SocketException e, string what) =>
        e.SocketErrorCode == SocketError.AccessDenied
            ? new FailoverException(ProbeErrorKind.NoIcmpPermission, $"not allowed to open {what}", e)
            : new FailoverException(ProbeErrorKind.SocketFailed, $"cannot open {what}: {e.SocketErrorCode} ({e.Message})", e);

    private static bool SameAddress(IPAddress a, IPAddress b)
    {
        if (a.IsIPv4MappedToIPv6)
        {
            a = a.MapToIPv4();
        }
        if (b.IsIPv4MappedToIPv6)
        {
            b = b.MapToIPv4();
        }
        // Scope ids of link-local addresses differ in form (name vs index); the socket is connected anyway.
        return a.AddressFamily == b.AddressFamily && a.GetAddressBytes().AsSpan().SequenceEqual(b.GetAddressBytes());
    }
}

/// <summary>Opens <see cref="IcmpEchoPinger"/>s.</summary>
/// <param name="mode">Which socket kinds may be used.</param>
public sealed class IcmpEchoPingerFactory(IcmpSocketMode mode = IcmpSocketMode.Auto) : IEchoPingerFactory
{
    /// <inheritdoc />
    public IEchoPinger Open(IPAddress gateway, int payloadLength) => IcmpEchoPinger.Open(gateway, payloadLength, mode);
}
