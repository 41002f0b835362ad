using System.Net;
using System.Net.Sockets;

namespace EduVpnActors.Actors.WireGuard;

/// <summary>Finds free local ports for ProxyGuard (WireGuard over TCP).</summary>
public interface IFreePortAllocator
{
    /// <summary>A currently free local TCP port (ProxyGuard's source port).</summary>
    int FreeTcpPort();

    /// <summary>A currently free local UDP port (ProxyGuard's listen port, WireGuard's Endpoint).</summary>
    int FreeUdpPort();
}

/// <summary>Binds <c>127.0.0.1:0</c>, reads the port the OS chose and releases it, as eduvpn-common.</summary>
public sealed class LoopbackFreePorts : IFreePortAllocator
{
    /// <summary>The one instance.</summary>
    public static readonly LoopbackFreePorts Instance = new();

    /// <inheritdoc />
    public int FreeTcpPort() => Bind(SocketType.Stream, ProtocolType.Tcp);

    /// <inheritdoc />
    public int FreeUdpPort() => Bind(SocketType.Dgram, ProtocolType.Udp);

    private static int Bind(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
