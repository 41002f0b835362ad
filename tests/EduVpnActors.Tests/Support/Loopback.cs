using System.Net;
using System.Net.Sockets;

namespace EduVpnActors.Tests.Support;

/// <summary>What the machine offers on loopback, probed with raw sockets (not with the code under test).</summary>
internal static class Loopback
{
    /// <summary>Null when <c>[::1]</c> can be bound here; otherwise why not (IPv6 off, no <c>::1</c> on lo, ...).</summary>
    public static string? Ipv6Unavailable()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return "the OS reports no IPv6 support";
        }
        try
        {
            using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return null;
        }
        catch (SocketException e)
        {
            return $"binding [::1] fails with {e.SocketErrorCode}";
        }
    }

    /// <summary>A port that was free on 127.0.0.1 a moment ago.</summary>
    public static int FreeIpv4Port()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
