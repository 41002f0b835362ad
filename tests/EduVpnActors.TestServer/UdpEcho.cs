using System.Net;
using System.Net.Sockets;

namespace EduVpnActors.TestServer;

/// <summary>
/// A UDP echo on 127.0.0.1: every datagram goes back, byte for byte, to the port it came from. Stands
/// in for the WireGuard server behind a ProxyGuard server double.
/// </summary>
public sealed class UdpEcho : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private long _echoed;

    private UdpEcho()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _ = Task.Run(LoopAsync);
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Datagrams echoed so far.</summary>
    public long Echoed => Interlocked.Read(ref _echoed);

    /// <summary>Starts an echo on a free port.</summary>
    public static UdpEcho Start() => new();

    private async Task LoopAsync()
    {
        var buffer = new byte[65536];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, from, _stop.Token).ConfigureAwait(false);
                await _socket.SendToAsync(buffer.AsMemory(0, received), SocketFlags.None, from, _stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _echoed);
            }
            catch (SocketException)
            {
                // An ICMP error from a sender that went away: keep echoing for the others.
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
    }
}
