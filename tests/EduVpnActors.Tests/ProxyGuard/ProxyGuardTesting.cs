using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using EduVpnActors.Actors.ProxyGuard;
using EduVpnActors.Messages.ProxyGuard;
using EduVpnActors.TestServer;

namespace EduVpnActors.Tests.ProxyGuard;

/// <summary>
/// WireGuard's side of a ProxyGuard test: a UDP socket on 127.0.0.1 standing in for WireGuard (it
/// sends to the proxy's listen port and receives its replies), and the settings and options a test
/// proxy runs with (short back-off and time-outs, the test certificate trusted).
/// </summary>
internal sealed class FakeWireGuard : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    /// <param name="port">0: a free port; else that one (WireGuard started again on its port).</param>
    public FakeWireGuard(int port = 0)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    /// <summary>Sends one datagram to <paramref name="to"/>.</summary>
    public void SendTo(IPEndPoint to, ReadOnlySpan<byte> datagram) => _socket.SendTo(datagram, SocketFlags.None, to);

    /// <summary>The local end point.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>WireGuard's own port (the tunnel's forward port).</summary>
    public int Port { get; }

    /// <summary>Sends one datagram to the proxy's listen port.</summary>
    public void Send(int listenPort, ReadOnlySpan<byte> datagram) =>
        _socket.SendTo(datagram, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, listenPort));

    /// <summary>The next datagram, or null after <paramref name="within"/>.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan within)
    {
        var buffer = new byte[65536];
        using var deadline = new CancellationTokenSource(within);
        try
        {
            var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), deadline.Token);
            return buffer.AsSpan(0, result.ReceivedBytes).ToArray();
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The next datagram and the port it came from (replies must come from the listen port).</summary>
    public async Task<(byte[] Datagram, int FromPort)> ReceiveWithSourceAsync(TimeSpan within)
    {
        var buffer = new byte[65536];
        using var deadline = new CancellationTokenSource(within);
        var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), deadline.Token);
        return (buffer.AsSpan(0, result.ReceivedBytes).ToArray(), ((IPEndPoint)result.RemoteEndPoint).Port);
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>Settings, options and datagrams for ProxyGuard tests.</summary>
internal static class ProxyGuardTesting
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>The engine defaults with short back-off and time-outs, plus <paramref name="hocon"/>.</summary>
    public static ProxyGuardSettings Settings(string hocon = "") =>
        ProxyGuardSettings.FromConfig(ConfigurationFactory.ParseString(hocon).WithFallback(ConfigurationFactory.ParseString("""
            eduvpn.proxyguard {
              backoff = [100ms, 200ms, 300ms]
              handshake-timeout = 2s
              connect-timeout = 2s
              read-timeout = 5s
            }
            """)).WithFallback(Actors.Configuration.EngineConfiguration.Defaults()));

    /// <summary>Trusts the test certificate; the User-Agent of a test app.</summary>
    public static ProxyGuardOptions Options => new(ProxyGuardUserAgent.For("EduVpnActors Tests", "1.0"))
    {
        ExtraTrustedCertificate = TestCertificate.PublicCertificate(),
    };

    /// <summary>A WireGuard-sized datagram whose first 4 bytes are <paramref name="sequence"/> (big-endian).</summary>
    public static byte[] Datagram(int sequence, int size = 1420)
    {
        var datagram = new byte[size];
        Random.Shared.NextBytes(datagram);
        if (size >= sizeof(int))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(datagram, sequence);
        }
        return datagram;
    }

    /// <summary>Whether UDP <paramref name="port"/> can be bound on 127.0.0.1 (without SO_REUSEADDR).</summary>
    public static bool UdpPortFree(int port) => PortFree(SocketType.Dgram, ProtocolType.Udp, port);

    /// <summary>Whether TCP <paramref name="port"/> can be bound on 127.0.0.1 (without SO_REUSEADDR: no TIME_WAIT left either).</summary>
    public static bool TcpPortFree(int port) => PortFree(SocketType.Stream, ProtocolType.Tcp, port);

    private static bool PortFree(SocketType type, ProtocolType protocol, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Sets <paramref name="proxy"/> up and starts its tunnel towards <paramref name="wireGuard"/>; returns the listen port.</summary>
    public static async Task<ProxyGuardReady> SetUpAndStartAsync(IActorRef proxy, SetUpProxyGuard setUp, FakeWireGuard wireGuard)
    {
        var ready = await proxy.Ask<object>(setUp, Wait);
        var readyReply = Assert.IsType<ProxyGuardReady>(ready);
        var started = await proxy.Ask<object>(new StartProxyGuardTunnel("start", wireGuard.Port), Wait);
        Assert.IsType<ProxyGuardTunnelStarted>(started);
        return readyReply;
    }
}
